import { useEffect, useState } from 'react';
import { api, type Schemas, unwrap } from '../api/client';
import { Calendar } from '../components/Calendar';
import { CalendarEditor } from '../components/CalendarEditor';
import { Unready } from '../components/Unready';
import { FunnelChart } from '../components/FunnelChart';
import { SequenceActions } from '../components/SequenceActions';
import { SequenceSettings } from '../components/SequenceSettings';
import { SettingsEditor } from '../components/SettingsEditor';
import { StatusBadge } from '../components/StatusBadge';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';
import { href } from '../router';

async function loadSequence(key: string) {
  const path = { params: { path: { key } } };
  const [sequence, funnel] = await Promise.all([
    unwrap(api.GET('/v1/sequences/{key}', path)),
    unwrap(api.GET('/v1/sequences/{key}/funnel', path)),
  ]);
  return { sequence, funnel };
}

/** One sequence: its calendar, its settings, its funnel and the status actions. */
export function Sequence({ sequenceKey, edit = false }: { sequenceKey: string; edit?: boolean }) {
  const { t } = useI18n();
  const loaded = useLoad(() => loadSequence(sequenceKey), [sequenceKey]);
  const [announcement, setAnnouncement] = useState('');
  const [editing, setEditing] = useState(edit);
  const [editingSettings, setEditingSettings] = useState(false);
  // What the last action or save answered: shown at once, with its announcement, while the funnel reloads; a fresh
  // load replaces it.
  const [changed, setChanged] = useState<Schemas['SequenceDto'] | null>(null);
  const fresh = loaded.state === 'ready' ? loaded.data : null;
  useEffect(() => setChanged(null), [fresh]);
  const show = (sequence: Schemas['SequenceDto'], message: string) => {
    setChanged(sequence);
    setAnnouncement(message);
    if (loaded.state !== 'loading') loaded.reload();
  };
  const back = (
    <p className="back">
      <a href={href({ screen: 'sequences' })}>← {t('sequence.back')}</a>
    </p>
  );
  if (loaded.state !== 'ready')
    return (
      <Unready
        loaded={loaded}
        back={back}
        notFound={
          <p className="notice error" role="alert">
            {t('sequence.notFound', { key: sequenceKey })}
          </p>
        }
      />
    );
  const { funnel } = loaded.data;
  const sequence = changed ?? loaded.data.sequence;
  return (
    <article className="sequence" aria-labelledby="sequence-title">
      {back}
      <header className="sequence-header">
        <div>
          <h1 id="sequence-title">{sequence.name}</h1>
          <p className="sequence-meta">
            <code>{sequence.key}</code> <StatusBadge status={sequence.status} />
          </p>
        </div>
        <SequenceActions
          sequence={sequence}
          running={funnel.totals.active}
          onChanged={(next) => show(next, t('action.done', { status: t(`status.${next.status}`) }))}
        />
      </header>
      <p className="announcement" role="status">
        {announcement}
      </p>
      {sequence.pausedReason === 'complaint-rate' && sequence.status === 'paused' && (
        <p className="notice error">{t('settings.pausedReason')}</p>
      )}
      <div className="sequence-grid">
        <section aria-labelledby="calendar-title" className="panel">
          <div className="panel-head">
            <h2 id="calendar-title">{t('sequence.calendar')}</h2>
            {!editing && sequence.status !== 'archived' && (
              <button type="button" id="edit-calendar" onClick={() => setEditing(true)}>
                {t('editor.edit')}
              </button>
            )}
          </div>
          <p className="muted">{t('sequence.calendarIntro')}</p>
          {editing ? (
            <CalendarEditor
              sequence={sequence}
              running={funnel.totals.active}
              onCancel={() => setEditing(false)}
              onSaved={(saved) => {
                setEditing(false);
                show(saved, t('editor.saved'));
              }}
            />
          ) : (
            <Calendar steps={sequence.steps} />
          )}
        </section>
        <section aria-labelledby="settings-title" className="panel">
          <div className="panel-head">
            <h2 id="settings-title">{t('settings.title')}</h2>
            {!editingSettings && sequence.status !== 'archived' && (
              <button type="button" id="edit-settings" onClick={() => setEditingSettings(true)}>
                {t('settingsEditor.edit')}
              </button>
            )}
          </div>
          {editingSettings ? (
            <SettingsEditor
              sequence={sequence}
              running={funnel.totals.active}
              onCancel={() => setEditingSettings(false)}
              onSaved={(saved) => {
                setEditingSettings(false);
                show(saved, t('settingsEditor.saved'));
              }}
            />
          ) : (
            <SequenceSettings sequence={sequence} />
          )}
        </section>
      </div>
      <section aria-labelledby="funnel-title" className="panel">
        <h2 id="funnel-title">{t('funnel.title')}</h2>
        <FunnelChart funnel={funnel} />
      </section>
    </article>
  );
}
