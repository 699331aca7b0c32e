import { useState } from 'react';
import { api, type Schemas, unwrap } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { type DraftStep, definitionOf, draftId, draftOf, placeMessages } from './calendar-definition';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice, Loading } from './ErrorNotice';
import { StepFields } from './StepFields';
import { useLoad } from './useLoad';
import { useSequenceSave } from './useSequenceSave';

type Sequence = Schemas['SequenceDto'];

async function templateKeys(): Promise<string[]> {
  const page = await unwrap(api.GET('/v1/templates', { params: { query: { limit: 500 } } }));
  return page.items.map((template) => template.key);
}

/**
 * The calendar's steps as a form: day, time, template, segment and lateness per step; add and remove. The API
 * validates (nothing is checked twice here): its 400 messages are shown at the fields they name, A/B variants'
 * included. A sequence that may have running enrollments is saved after a
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
  const { busy, confirming, cancel, problems, failure, save, submit } = useSequenceSave(sequence, onSaved, () => {
    const { body, order } = definitionOf(sequence, drafts);
    return { body, place: (messages) => placeMessages(messages, order) };
  });

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
        {drafts.map((draft, index) => (
          <li key={draft.id} data-draft={index}>
            <StepFields
              draft={draft}
              index={index}
              keys={keys}
              problems={problems?.fields}
              onChange={(changed) =>
                setDrafts((current) => current.map((other) => (other.id === draft.id ? changed : other)))
              }
              onRemove={() => setDrafts((current) => current.filter((other) => other.id !== draft.id))}
            />
          </li>
        ))}
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
                  variants: [],
                  experiment: null,
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
          onCancel={cancel}
        >
          <p>{t('editor.confirmBody', { active: running === null ? '?' : number(running) })}</p>
        </ConfirmDialog>
      )}
    </form>
  );
}
