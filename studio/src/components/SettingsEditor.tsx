import { type ReactNode, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { ConfirmDialog } from './ConfirmDialog';
import { ErrorNotice } from './ErrorNotice';
import { useSequenceSave } from './useSequenceSave';
import { bodyOf, fieldOf, type Form, formOf, type Reentry, type Sequence, WEEK } from './settings-definition';

/**
 * The sequence's settings as a form; the calendar is sent back unchanged. The API validates and its 400s show at
 * the fields; a sequence that may have running enrollments is saved after saying what changes for them.
 */
export function SettingsEditor({
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
  const { t, number, weekday } = useI18n();
  const [form, setForm] = useState<Form>(() => formOf(sequence));
  const set = <K extends keyof Form>(name: K, value: Form[K]) => setForm((current) => ({ ...current, [name]: value }));
  const { busy, confirming, cancel, problems, failure, save, submit } = useSequenceSave(sequence, onSaved, () => ({
    body: bodyOf(sequence, form),
    place: (messages) => {
      const placed = new Map<string, string[]>();
      for (const message of messages) placed.set(fieldOf(message), [...(placed.get(fieldOf(message)) ?? []), message]);
      return placed;
    },
  }));

  const problemOf = (name: string) => problems?.get(name);
  const field = (name: string, label: string, control: (props: Record<string, unknown>) => ReactNode) => {
    const messages = problemOf(name);
    const id = `settings-${name}`;
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        {control({
          id,
          'aria-invalid': messages ? true : undefined,
          'aria-describedby': messages ? `${id}-problem` : undefined,
        })}
        {messages && (
          <p className="field-problem" id={`${id}-problem`}>
            {messages.join(' ')}
          </p>
        )}
      </div>
    );
  };
  const textField = (name: 'triggerEvent' | 'conversionEvent' | 'audienceSegment' | 'timezone', label: string) =>
    field(name, label, (props) => (
      <input {...props} value={form[name]} onChange={(event) => set(name, event.target.value)} />
    ));
  const known = new Set([
    'triggerEvent',
    'conversionEvent',
    'audienceSegment',
    'sendWindow',
    'timezone',
    'reentry',
    'reentryCooldownDays',
    'holdoutPercent',
    'transactional',
    'tracking',
  ]);
  const other = [...(problems ?? new Map<string, string[]>())]
    .filter(([name]) => !known.has(name))
    .flatMap(([, list]) => list);

  return (
    <form className="settings-editor" id="settings-editor" onSubmit={submit} noValidate>
      {problems && (
        <div className="notice error" role="alert">
          <p>{t('settingsEditor.invalid')}</p>
          {other.length > 0 && (
            <ul>
              {other.map((message) => (
                <li key={message}>{message}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {failure !== null && <ErrorNotice error={failure} />}
      <div className="editor-fields">
        {textField('triggerEvent', t('settings.trigger'))}
        {textField('conversionEvent', t('settings.conversion'))}
        {textField('audienceSegment', t('settingsEditor.audience'))}
        {textField('timezone', t('settingsEditor.timezone'))}
      </div>
      <fieldset className="window">
        <legend>{t('settings.window')}</legend>
        <label className="check">
          <input type="checkbox" checked={form.windowOn} onChange={(event) => set('windowOn', event.target.checked)} />{' '}
          {t('settingsEditor.windowOn')}
        </label>
        {form.windowOn && (
          <>
            <div className="editor-fields">
              {field('sendWindow', t('settingsEditor.from'), (props) => (
                <input
                  {...props}
                  value={form.from}
                  inputMode="numeric"
                  onChange={(event) => set('from', event.target.value)}
                />
              ))}
              <div className="field">
                <label htmlFor="settings-to">{t('settingsEditor.to')}</label>
                <input
                  id="settings-to"
                  value={form.to}
                  inputMode="numeric"
                  onChange={(event) => set('to', event.target.value)}
                />
              </div>
            </div>
            <div className="days" role="group" aria-label={t('settingsEditor.days')}>
              {WEEK.map((day) => (
                <label key={day} className="check">
                  <input
                    type="checkbox"
                    checked={form.days.includes(day)}
                    onChange={(event) =>
                      set(
                        'days',
                        event.target.checked ? [...form.days, day].sort() : form.days.filter((other) => other !== day),
                      )
                    }
                  />{' '}
                  {weekday(day)}
                </label>
              ))}
            </div>
          </>
        )}
      </fieldset>
      <div className="editor-fields">
        {field('reentry', t('settings.reentry'), (props) => (
          <select {...props} value={form.reentry} onChange={(event) => set('reentry', event.target.value as Reentry)}>
            {(['never', 'after-completion', 'always'] as const).map((rule) => (
              <option key={rule} value={rule}>
                {t(`settings.reentry.${rule}`)}
              </option>
            ))}
          </select>
        ))}
        {field('reentryCooldownDays', t('settingsEditor.cooldown'), (props) => (
          <input
            {...props}
            type="number"
            min="0"
            value={form.reentryCooldownDays}
            onChange={(event) => set('reentryCooldownDays', event.target.value)}
          />
        ))}
        {field('holdoutPercent', t('settingsEditor.holdout'), (props) => (
          <input
            {...props}
            type="number"
            min="0"
            max="50"
            value={form.holdoutPercent}
            onChange={(event) => set('holdoutPercent', event.target.value)}
          />
        ))}
      </div>
      <div className="checks">
        <label className="check">
          <input
            type="checkbox"
            checked={form.transactional}
            onChange={(event) => set('transactional', event.target.checked)}
          />{' '}
          {t('settings.transactional')}
        </label>
        <label className="check">
          <input type="checkbox" checked={form.opens} onChange={(event) => set('opens', event.target.checked)} />{' '}
          {t('settingsEditor.opens')}
        </label>
        <label className="check">
          <input type="checkbox" checked={form.clicks} onChange={(event) => set('clicks', event.target.checked)} />{' '}
          {t('settingsEditor.clicks')}
        </label>
      </div>
      <div className="editor-buttons">
        <button type="button" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('editor.saving') : t('settingsEditor.save')}
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title={t('settingsEditor.confirmTitle', { name: sequence.name })}
          confirmLabel={t('settingsEditor.save')}
          busy={busy}
          onConfirm={() => void save()}
          onCancel={cancel}
        >
          <p>{t('settingsEditor.confirmBody', { active: running === null ? '?' : number(running) })}</p>
        </ConfirmDialog>
      )}
    </form>
  );
}
