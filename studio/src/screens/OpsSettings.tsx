import { type FormEvent, useState } from 'react';
import { api, ApiError, type Schemas, unwrap } from '../api/client';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { useLoad } from '../components/useLoad';
import { useI18n } from '../i18n/i18n';

type Settings = Schemas['SettingsDto'];
const CAP_FIELDS = ['maxPerDay', 'maxPerWeek', 'minHoursBetween'] as const;
type CapField = (typeof CAP_FIELDS)[number];
type Form = Record<CapField, string> & { quietDates: string[] };
/** Where a 400 message goes: its field's path as the API names it. */
type Place = `frequencyCap.${CapField}` | 'quietDates' | 'other';

function formOf(settings: Settings): Form {
  const cap = settings.frequencyCap;
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    maxPerDay: text(cap?.maxPerDay),
    maxPerWeek: text(cap?.maxPerWeek),
    minHoursBetween: text(cap?.minHoursBetween),
    quietDates: [...settings.quietDates].sort(),
  };
}

/**
 * The body as PUT takes it: empty cap fields are left out, no limit at all is `null`. A field that is not a
 * whole number is sent as typed, so the API's own message names it.
 */
function bodyOf(form: Form): Settings {
  const cap: Record<string, unknown> = {};
  for (const field of CAP_FIELDS) {
    const typed = form[field].trim();
    if (typed !== '') cap[field] = /^-?\d+$/.test(typed) ? Number(typed) : typed;
  }
  return {
    frequencyCap: Object.keys(cap).length > 0 ? (cap as Settings['frequencyCap']) : null,
    quietDates: form.quietDates,
  };
}

function placeOf(message: string): Place {
  for (const field of CAP_FIELDS) if (message.startsWith(`frequencyCap.${field}`)) return `frequencyCap.${field}`;
  return message.startsWith('quietDates') ? 'quietDates' : 'other';
}

/** The frequency cap and quiet dates, which every non-transactional sequence obeys. */
export function OpsSettings() {
  const { t } = useI18n();
  const loaded = useLoad(() => unwrap(api.GET('/v1/settings')), []);
  if (loaded.state === 'loading') return <Loading />;
  if (loaded.state === 'failed') return <ErrorNotice error={loaded.error} onRetry={loaded.reload} />;
  return (
    <section aria-labelledby="ops-settings-title" className="ops-settings">
      <h1 id="ops-settings-title">{t('ops.settingsTitle')}</h1>
      <p className="intro">{t('ops.settingsIntro')}</p>
      <SettingsForm initial={loaded.data} />
    </section>
  );
}

function SettingsForm({ initial }: { initial: Settings }) {
  const { t } = useI18n();
  const [form, setForm] = useState<Form>(() => formOf(initial));
  const [newDate, setNewDate] = useState('');
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<Partial<Record<Place, string[]>>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [announcement, setAnnouncement] = useState('');

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblems({});
    setFailure(null);
    setAnnouncement('');
    try {
      const saved = await unwrap(api.PUT('/v1/settings', { body: bodyOf(form) }));
      setForm(formOf(saved));
      setAnnouncement(t('ops.settingsSaved'));
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        const placed: Partial<Record<Place, string[]>> = {};
        for (const message of error.messages) (placed[placeOf(message)] ??= []).push(message);
        setProblems(placed);
      } else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const problemOf = (place: Place, id: string) =>
    problems[place] && (
      <p className="field-problem" id={id}>
        {problems[place].join(' ')}
      </p>
    );
  const invalid = Object.keys(problems).length > 0;
  return (
    <form className="panel settings-form" id="ops-settings" onSubmit={(event) => void save(event)} noValidate>
      {invalid && (
        <p className="notice error" role="alert">
          {t('ops.settingsInvalid')}
        </p>
      )}
      {problemOf('other', 'settings-other-problem')}
      {failure !== null && <ErrorNotice error={failure} />}
      <fieldset>
        <legend>{t('ops.capTitle')}</legend>
        <p className="muted hint">{t('ops.capHint')}</p>
        <div className="editor-fields">
          {CAP_FIELDS.map((field) => {
            const place: Place = `frequencyCap.${field}`;
            const problemId = `cap-${field}-problem`;
            return (
              <div className="field" key={field}>
                <label htmlFor={`cap-${field}`}>{t(`ops.cap.${field}`)}</label>
                <input
                  id={`cap-${field}`}
                  inputMode="numeric"
                  value={form[field]}
                  aria-invalid={problems[place] ? true : undefined}
                  aria-describedby={problems[place] ? problemId : undefined}
                  onChange={(event) => setForm({ ...form, [field]: event.target.value })}
                />
                {problemOf(place, problemId)}
              </div>
            );
          })}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('ops.quietTitle')}</legend>
        <p className="muted hint">{t('ops.quietHint')}</p>
        {form.quietDates.length === 0 ? (
          <p className="muted" id="quiet-none">
            {t('ops.quietNone')}
          </p>
        ) : (
          <ul className="quiet-dates" id="quiet-dates">
            {form.quietDates.map((date) => (
              <li key={date} data-date={date}>
                <code>{date}</code>{' '}
                <button
                  type="button"
                  aria-label={t('ops.quietRemove', { date })}
                  onClick={() => setForm({ ...form, quietDates: form.quietDates.filter((d) => d !== date) })}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="quiet-add">
          <div className="field">
            <label htmlFor="quiet-new">{t('ops.quietDate')}</label>
            <input
              id="quiet-new"
              type="date"
              value={newDate}
              aria-invalid={problems.quietDates ? true : undefined}
              aria-describedby={problems.quietDates ? 'quiet-problem' : undefined}
              onChange={(event) => setNewDate(event.target.value)}
            />
          </div>
          <button
            type="button"
            id="quiet-add"
            disabled={!newDate}
            onClick={() => {
              if (!form.quietDates.includes(newDate))
                setForm({ ...form, quietDates: [...form.quietDates, newDate].sort() });
              setNewDate('');
            }}
          >
            {t('ops.quietAdd')}
          </button>
        </div>
        {problemOf('quietDates', 'quiet-problem')}
      </fieldset>
      <p className="announcement" role="status">
        {announcement}
      </p>
      <div className="editor-buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('editor.saving') : t('ops.settingsSave')}
        </button>
      </div>
    </form>
  );
}
