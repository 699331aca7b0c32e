import { useI18n } from '../i18n/i18n';
import { type DraftExperiment, type DraftStep, type DraftVariant, draftId } from './calendar-definition';
import { Field, TemplateSelect } from './Field';

const MAX_VARIANTS = 4;
const DEFAULT_EXPERIMENT: DraftExperiment = { metric: 'click', minPerVariant: '200', probabilityToBeat: '0.95' };

/**
 * A step's A/B variants (2–4: key, template, weight) and its automatic winner (metric, sends per variant,
 * probability to beat). Shares are shown from the weights as they are typed; the API validates the rest.
 */
export function VariantFields({
  draft,
  keys,
  problems,
  onChange,
}: {
  draft: DraftStep;
  keys: string[];
  problems: Map<string, string[]> | undefined;
  onChange(draft: DraftStep): void;
}) {
  const { t, percent } = useI18n();
  const total = draft.variants.reduce(
    (sum, variant) => sum + (Number(variant.weight) > 0 ? Number(variant.weight) : 0),
    0,
  );
  const setVariant = (id: string, change: Partial<DraftVariant>) =>
    onChange({
      ...draft,
      variants: draft.variants.map((variant) => (variant.id === id ? { ...variant, ...change } : variant)),
    });
  const setExperiment = (change: Partial<DraftExperiment>) =>
    onChange({ ...draft, experiment: { ...(draft.experiment ?? DEFAULT_EXPERIMENT), ...change } });
  const messages = (path: string) => problems?.get(`${draft.id}.${path}`);
  const variantProblems = messages('variants');
  const experimentProblems = messages('experiment');

  return (
    <fieldset className="variants-editor">
      <legend>{t('step.variants')}</legend>
      {variantProblems && <p className="field-problem">{variantProblems.join(' ')}</p>}
      <ol>
        {draft.variants.map((variant, index) => {
          const base = `${draft.id}-variant-${variant.id}`;
          const share = Number(variant.weight) > 0 && total > 0 ? percent(Number(variant.weight) / total) : '–';
          return (
            <li key={variant.id} className="variant-row" data-variant-index={index}>
              <Field id={`${base}-key`} label={t('variants.key')} messages={messages(`variants.${index}.key`)}>
                {(props) => (
                  <input
                    {...props}
                    value={variant.key}
                    onChange={(event) => setVariant(variant.id, { key: event.target.value })}
                  />
                )}
              </Field>
              <Field
                id={`${base}-template`}
                label={t('editor.template')}
                messages={messages(`variants.${index}.template`)}
              >
                {(props) => (
                  <TemplateSelect
                    {...props}
                    value={variant.template}
                    keys={keys}
                    onChange={(value) => setVariant(variant.id, { template: value })}
                  />
                )}
              </Field>
              <Field
                id={`${base}-weight`}
                label={t('variants.weight', { share })}
                messages={messages(`variants.${index}.weight`)}
              >
                {(props) => (
                  <input
                    {...props}
                    type="number"
                    min="1"
                    value={variant.weight}
                    onChange={(event) => setVariant(variant.id, { weight: event.target.value })}
                  />
                )}
              </Field>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  const rest = draft.variants.filter((other) => other.id !== variant.id);
                  // One variant left is no test: the step goes back to that template.
                  onChange(
                    rest.length > 1
                      ? { ...draft, variants: rest }
                      : { ...draft, variants: [], experiment: null, template: rest[0]?.template ?? draft.template },
                  );
                }}
              >
                {t('variants.remove', { key: variant.key })}
              </button>
            </li>
          );
        })}
      </ol>
      {draft.variants.length < MAX_VARIANTS && (
        <button
          type="button"
          onClick={() =>
            onChange({
              ...draft,
              variants: [
                ...draft.variants,
                {
                  id: draftId(),
                  key: String.fromCharCode(97 + draft.variants.length),
                  template: keys[0] ?? '',
                  weight: '1',
                },
              ],
            })
          }
        >
          {t('variants.add')}
        </button>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={draft.experiment !== null}
          onChange={(event) => onChange({ ...draft, experiment: event.target.checked ? DEFAULT_EXPERIMENT : null })}
        />{' '}
        {t('variants.auto')}
      </label>
      {experimentProblems && <p className="field-problem">{experimentProblems.join(' ')}</p>}
      {draft.experiment && (
        <div className="editor-fields">
          <Field id={`${draft.id}-metric`} label={t('variants.metric')} messages={undefined}>
            {(props) => (
              <select
                {...props}
                value={draft.experiment?.metric}
                onChange={(event) => setExperiment({ metric: event.target.value as DraftExperiment['metric'] })}
              >
                <option value="click">{t('metric.click')}</option>
                <option value="conversion">{t('metric.conversion')}</option>
              </select>
            )}
          </Field>
          <Field id={`${draft.id}-min`} label={t('variants.minPerVariant')} messages={undefined}>
            {(props) => (
              <input
                {...props}
                type="number"
                min="20"
                value={draft.experiment?.minPerVariant}
                onChange={(event) => setExperiment({ minPerVariant: event.target.value })}
              />
            )}
          </Field>
          <Field id={`${draft.id}-probability`} label={t('variants.probability')} messages={undefined}>
            {(props) => (
              <input
                {...props}
                type="number"
                min="0.8"
                max="0.999"
                step="0.001"
                value={draft.experiment?.probabilityToBeat}
                onChange={(event) => setExperiment({ probabilityToBeat: event.target.value })}
              />
            )}
          </Field>
        </div>
      )}
    </fieldset>
  );
}
