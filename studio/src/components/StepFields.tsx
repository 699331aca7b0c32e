import { useI18n } from '../i18n/i18n';
import { type DraftStep, draftId } from './calendar-definition';
import { Field, TemplateSelect } from './Field';
import { VariantFields } from './VariantFields';

type TextField = 'key' | 'dayOffset' | 'at' | 'segment' | 'maxLatenessHours';

/** One step of the calendar editor: its fields, its template or A/B variants, and its removal. */
export function StepFields({
  draft,
  index,
  keys,
  problems,
  onChange,
  onRemove,
}: {
  draft: DraftStep;
  index: number;
  keys: string[];
  problems: Map<string, string[]> | undefined;
  onChange(draft: DraftStep): void;
  onRemove(): void;
}) {
  const { t } = useI18n();
  const stepProblems = problems?.get(draft.id);
  const input = (field: TextField, label: string, props: Record<string, string> = {}) => (
    <Field id={`${draft.id}-${field}`} label={label} messages={problems?.get(`${draft.id}.${field}`)}>
      {(control) => (
        <input
          {...control}
          name={field}
          value={draft[field]}
          onChange={(event) => onChange({ ...draft, [field]: event.target.value })}
          {...props}
        />
      )}
    </Field>
  );
  return (
    <fieldset>
      <legend>{t('editor.step', { n: index + 1, key: draft.key })}</legend>
      {stepProblems && <p className="field-problem">{stepProblems.join(' ')}</p>}
      <div className="editor-fields">
        {input('key', t('editor.key'))}
        {input('dayOffset', t('editor.day'), { type: 'number', min: '0', inputMode: 'numeric' })}
        {input('at', t('editor.at'), { placeholder: 'HH:mm', inputMode: 'numeric' })}
        {draft.variants.length === 0 && (
          <Field
            id={`${draft.id}-template`}
            label={t('editor.template')}
            messages={problems?.get(`${draft.id}.template`)}
          >
            {(control) => (
              <TemplateSelect
                {...control}
                value={draft.template}
                keys={keys}
                onChange={(value) => onChange({ ...draft, template: value })}
              />
            )}
          </Field>
        )}
        {input('segment', t('editor.segment'))}
        {input('maxLatenessHours', t('editor.lateness'), { type: 'number', min: '1', inputMode: 'numeric' })}
      </div>
      {draft.variants.length > 0 ? (
        <VariantFields draft={draft} keys={keys} problems={problems} onChange={onChange} />
      ) : (
        <button
          type="button"
          className="make-ab"
          onClick={() =>
            onChange({
              ...draft,
              variants: [
                { id: draftId(), key: 'a', template: draft.template, weight: '1' },
                {
                  id: draftId(),
                  key: 'b',
                  template: keys.find((key) => key !== draft.template) ?? draft.template,
                  weight: '1',
                },
              ],
            })
          }
        >
          {t('variants.make')}
        </button>
      )}{' '}
      <button type="button" className="danger" onClick={onRemove}>
        {t('editor.remove', { key: draft.key || String(index + 1) })}
      </button>
    </fieldset>
  );
}
