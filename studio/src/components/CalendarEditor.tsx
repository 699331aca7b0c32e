import { type FormEvent, useState } from 'react';
import { api, ApiError, type Schemas, unwrap } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { type DraftStep, definitionOf, draftId, draftOf, placeMessages } from './calendar-definition';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice, Loading } from './ErrorNotice';
import { useLoad } from './useLoad';

type Sequence = Schemas['SequenceDto'];
type Field = 'key' | 'dayOffset' | 'at' | 'template' | 'segment' | 'maxLatenessHours';

async function templateKeys(): Promise<string[]> {
  const page = await unwrap(api.GET('/v1/templates', { params: { query: { limit: 500 } } }));
  return page.items.map((template) => template.key);
}

/**
 * The calendar's steps as a form: day, time, template, segment and lateness per step; add and remove. The API
 * validates (nothing is checked twice here): its 400 messages are shown at the fields they name. A/B variants are
 * kept as they are (editing them is the next step). A sequence that may have running enrollments is saved after a
 * confirmation that says what happens to them.
 */
export function CalendarEditor({
  sequence,
  running,
  onSaved,
  onCancel,
}: {
  sequence: Sequence;
  running: number | null;
  onSaved(sequence: Sequence): void;
  onCancel(): void;
}) {
  const { t, number } = useI18n();
  const templates = useLoad(templateKeys, []);
  const [drafts, setDrafts] = useState<DraftStep[]>(() => sequence.steps.map(draftOf));
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<{ fields: Map<string, string[]>; form: string[] } | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  const update = (id: string, field: Field, value: string) =>
    setDrafts((current) => current.map((draft) => (draft.id === id ? { ...draft, [field]: value } : draft)));

  async function save() {
    const { body, order } = definitionOf(sequence, drafts);
    setBusy(true);
    setFailure(null);
    try {
      const saved = await unwrap(api.PUT('/v1/sequences/{key}', { params: { path: { key: sequence.key } }, body }));
      onSaved(saved);
    } catch (error) {
      setConfirming(false);
      if (error instanceof ApiError && error.status === 400) setProblems(placeMessages(error.messages, order));
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setProblems(null);
    if (sequence.status === 'draft') void save();
    else setConfirming(true);
  }

  if (templates.state === 'loading') return <Loading />;
  if (templates.state === 'failed') return <ErrorNotice error={templates.error} onRetry={templates.reload} />;
  const keys = templates.data;
  return (
    <form className="calendar-editor" id="calendar-editor" onSubmit={submit} noValidate>
      {keys.length === 0 && <p className="notice">{t('editor.noTemplates')}</p>}
      {problems && (
        <div className="notice error" role="alert">
          <p>{t('editor.invalid')}</p>
          {problems.form.length > 0 && (
            <ul>
              {problems.form.map((message) => (
                <li key={message}>{message}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {failure !== null && <ErrorNotice error={failure} />}
      <ol className="editor-steps">
        {drafts.map((draft, index) => {
          const stepProblems = problems?.fields.get(draft.id);
          const input = (field: Field, label: string, props: Record<string, string> = {}) => {
            const id = `${draft.id}-${field}`;
            const messages = problems?.fields.get(`${draft.id}.${field}`);
            return (
              <div className="field">
                <label htmlFor={id}>{label}</label>
                <input
                  id={id}
                  name={field}
                  value={draft[field]}
                  onChange={(event) => update(draft.id, field, event.target.value)}
                  aria-invalid={messages ? true : undefined}
                  aria-describedby={messages ? `${id}-problem` : undefined}
                  {...props}
                />
                {messages && (
                  <p className="field-problem" id={`${id}-problem`}>
                    {messages.join(' ')}
                  </p>
                )}
              </div>
            );
          };
          const templateId = `${draft.id}-template`;
          const templateProblems = problems?.fields.get(`${draft.id}.template`);
          return (
            <li key={draft.id} data-draft={index}>
              <fieldset>
                <legend>{t('editor.step', { n: index + 1, key: draft.key })}</legend>
                {stepProblems && <p className="field-problem">{stepProblems.join(' ')}</p>}
                <div className="editor-fields">
                  {input('key', t('editor.key'))}
                  {input('dayOffset', t('editor.day'), { type: 'number', min: '0', inputMode: 'numeric' })}
                  {input('at', t('editor.at'), { placeholder: 'HH:mm', inputMode: 'numeric' })}
                  {draft.variants?.length ? (
                    <p className="field">
                      {t('editor.variantsKept', { variants: draft.variants.map((variant) => variant.key).join(', ') })}
                    </p>
                  ) : (
                    <div className="field">
                      <label htmlFor={templateId}>{t('editor.template')}</label>
                      <select
                        id={templateId}
                        name="template"
                        value={draft.template}
                        onChange={(event) => update(draft.id, 'template', event.target.value)}
                        aria-invalid={templateProblems ? true : undefined}
                        aria-describedby={templateProblems ? `${templateId}-problem` : undefined}
                      >
                        {!keys.includes(draft.template) && <option value={draft.template}>{draft.template}</option>}
                        {keys.map((key) => (
                          <option key={key} value={key}>
                            {key}
                          </option>
                        ))}
                      </select>
                      {templateProblems && (
                        <p className="field-problem" id={`${templateId}-problem`}>
                          {templateProblems.join(' ')}
                        </p>
                      )}
                    </div>
                  )}
                  {input('segment', t('editor.segment'))}
                  {input('maxLatenessHours', t('editor.lateness'), { type: 'number', min: '1', inputMode: 'numeric' })}
                </div>
                <button
                  type="button"
                  className="danger"
                  onClick={() => setDrafts((current) => current.filter((other) => other.id !== draft.id))}
                >
                  {t('editor.remove', { key: draft.key || String(index + 1) })}
                </button>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="editor-buttons">
        <button
          type="button"
          onClick={() =>
            setDrafts((current) => {
              const last = current.reduce((day, draft) => Math.max(day, Number(draft.dayOffset) || 0), -1);
              return [
                ...current,
                {
                  id: draftId(),
                  key: `step-${current.length + 1}`,
                  dayOffset: String(last + 1),
                  at: '',
                  template: keys[0] ?? '',
                  segment: '',
                  maxLatenessHours: '',
                },
              ];
            })
          }
        >
          {t('editor.add')}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('editor.saving') : t('editor.save')}
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title={t('editor.confirmTitle', { name: sequence.name })}
          confirmLabel={t('editor.save')}
          busy={busy}
          onConfirm={() => void save()}
          onCancel={() => setConfirming(false)}
        >
          <p>{t('editor.confirmBody', { active: running === null ? '?' : number(running) })}</p>
        </ConfirmDialog>
      )}
    </form>
  );
}
