import { useState } from 'react';
import { api, type Schemas, unwrap } from '../api/client';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice } from './ErrorNotice';

type Sequence = Schemas['SequenceDto'];
type Action = 'activate' | 'resume' | 'pause' | 'archive';

/** What each status allows (the server's state machine; it answers 409 to anything else). */
const ALLOWED: Record<Sequence['status'], Action[]> = {
  draft: ['activate', 'archive'],
  active: ['pause', 'archive'],
  paused: ['resume', 'archive'],
  archived: [],
};
const TITLES: Record<Action, MessageKey> = {
  activate: 'action.confirmActivate',
  resume: 'action.confirmResume',
  pause: 'action.confirmPause',
  archive: 'action.confirmArchive',
};

function perform(key: string, action: Action): Promise<Sequence> {
  const params = { params: { path: { key } } };
  if (action === 'pause') return unwrap(api.POST('/v1/sequences/{key}/pause', params));
  if (action === 'archive') return unwrap(api.POST('/v1/sequences/{key}/archive', params));
  return unwrap(api.POST('/v1/sequences/{key}/activate', params));
}

/**
 * Activate, resume, pause and archive, each said before it happens: what changes for the people already in the
 * sequence (`running`, from the funnel) and for those still to come.
 */
export function SequenceActions({
  sequence,
  running,
  onChanged,
}: {
  sequence: Sequence;
  running: number | null;
  onChanged(sequence: Sequence): void;
}) {
  const { t, number } = useI18n();
  const [pending, setPending] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const actions = ALLOWED[sequence.status];
  if (actions.length === 0) return null;

  const active = running === null ? '?' : number(running);
  const consequence = (action: Action): string => {
    if (action === 'pause') return t('action.pauseBody', { active });
    if (action === 'archive') return t('action.archiveBody', { active });
    if (action === 'resume') return t('action.resumeBody', { active });
    return sequence.triggerEvent
      ? t('action.activateBody', { trigger: sequence.triggerEvent })
      : t('action.activateNoTrigger');
  };

  async function confirm(action: Action) {
    setBusy(true);
    setError(null);
    try {
      const changed = await perform(sequence.key, action);
      setPending(null);
      onChanged(changed);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="actions" role="group" aria-label={t('sequence.actions')}>
      {actions.map((action) => (
        <button
          key={action}
          type="button"
          className={action === 'archive' ? 'danger' : 'primary'}
          data-action={action}
          onClick={() => {
            setError(null);
            setPending(action);
          }}
        >
          {t(`action.${action}`)}
        </button>
      ))}
      {pending && (
        <ConfirmDialog
          title={t(TITLES[pending], { name: sequence.name })}
          confirmLabel={t(`action.${pending}`)}
          danger={pending === 'archive'}
          busy={busy}
          onConfirm={() => void confirm(pending)}
          onCancel={() => setPending(null)}
        >
          <p>{consequence(pending)}</p>
          {error !== null && <ErrorNotice error={error} />}
        </ConfirmDialog>
      )}
    </div>
  );
}
