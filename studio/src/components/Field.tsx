import type { ReactNode } from 'react';

/** What a control needs to be tied to its label and to the API's message about it. */
export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/** A labelled form field with the API's messages about it below, announced with the control. */
export function Field({
  id,
  label,
  messages,
  children,
}: {
  id: string;
  label: string;
  messages: string[] | undefined;
  children: (props: ControlProps) => ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(messages ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-problem` } : {}),
      })}
      {messages && (
        <p className="field-problem" id={`${id}-problem`}>
          {messages.join(' ')}
        </p>
      )}
    </div>
  );
}

/** A select of template keys, keeping a current value that is not (or no longer) among them. */
export function TemplateSelect({
  value,
  keys,
  onChange,
  ...props
}: ControlProps & { value: string; keys: string[]; onChange(value: string): void }) {
  return (
    <select {...props} value={value} onChange={(event) => onChange(event.target.value)}>
      {!keys.includes(value) && <option value={value}>{value}</option>}
      {keys.map((key) => (
        <option key={key} value={key}>
          {key}
        </option>
      ))}
    </select>
  );
}
