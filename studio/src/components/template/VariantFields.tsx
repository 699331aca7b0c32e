import { useI18n } from '../../i18n/i18n';
import type { VariantDraft, VariantField } from './template-draft';

interface Props {
  variant: VariantDraft;
  index: number;
  removable: boolean;
  problems: Map<string, string[]>;
  onChange(field: VariantField, value: string): void;
  onRemove(): void;
  /** The field the marketer is in: where a variable is inserted. */
  onFocusField(field: VariantField, element: HTMLInputElement | HTMLTextAreaElement): void;
}

/** One locale's variant: its tag, subject, HTML and optional text, each with the API's problems beside it. */
export function VariantFields({ variant, index, removable, problems, onChange, onRemove, onFocusField }: Props) {
  const { t } = useI18n();
  const id = (field: VariantField) => `variant-${variant.id}-${field}`;
  const problemOf = (field: VariantField) => problems.get(`${variant.id}.${field}`);
  const described = (field: VariantField, hint = false) =>
    [hint ? `${id(field)}-hint` : '', problemOf(field) ? `${id(field)}-problem` : ''].filter(Boolean).join(' ') ||
    undefined;
  const problem = (field: VariantField) => {
    const messages = problemOf(field);
    return messages ? (
      <p className="field-problem" id={`${id(field)}-problem`}>
        {messages.join(' ')}
      </p>
    ) : null;
  };
  const common = (field: VariantField, hint = false) => ({
    id: id(field),
    value: variant[field],
    'aria-invalid': problemOf(field) ? true : undefined,
    'aria-describedby': described(field, hint),
    onFocus: (event: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) =>
      onFocusField(field, event.currentTarget),
  });
  return (
    <fieldset className="variant" data-locale={variant.locale}>
      <legend>
        {t('templates.variantLegend', { locale: variant.locale || '?' })}
        {index === 0 && <span className="muted"> · {t('templates.fallback')}</span>}
      </legend>
      <div className="variant-head">
        <div className="field">
          <label htmlFor={id('locale')}>{t('templates.locale')}</label>
          <input {...common('locale')} onChange={(event) => onChange('locale', event.target.value)} />
          {problem('locale')}
        </div>
        {removable && (
          <button type="button" className="danger" onClick={onRemove}>
            {t('templates.removeLocale', { locale: variant.locale || '?' })}
          </button>
        )}
      </div>
      <div className="field">
        <label htmlFor={id('subject')}>{t('templates.subject')}</label>
        <input {...common('subject')} onChange={(event) => onChange('subject', event.target.value)} />
        {problem('subject')}
      </div>
      <div className="field">
        <label htmlFor={id('html')}>{t('templates.html')}</label>
        <textarea
          {...common('html')}
          rows={10}
          spellCheck={false}
          onChange={(event) => onChange('html', event.target.value)}
        />
        {problem('html')}
      </div>
      <div className="field">
        <label htmlFor={id('text')}>{t('templates.text')}</label>
        <textarea
          {...common('text', true)}
          rows={4}
          spellCheck={false}
          onChange={(event) => onChange('text', event.target.value)}
        />
        <p className="muted hint" id={`${id('text')}-hint`}>
          {t('templates.textHint')}
        </p>
        {problem('text')}
      </div>
    </fieldset>
  );
}
