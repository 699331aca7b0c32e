import { type FormEvent, useState } from 'react';
import { api, type Schemas, unwrap } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { describeError } from '../ErrorNotice';

/** Sends the template, as previewed, to one address (POST /v1/templates/:key/test-send): nothing reaches a contact. */
export function TestSend({ templateKey, body }: { templateKey: string; body: Schemas['PreviewTemplateDto'] | null }) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  async function send(event: FormEvent) {
    event.preventDefault();
    if (!body) return;
    setBusy(true);
    setOutcome(null);
    try {
      const sent = await unwrap(
        api.POST('/v1/templates/{key}/test-send', {
          params: { path: { key: templateKey } },
          body: { ...body, email: email.trim() },
        }),
      );
      setOutcome({ ok: true, text: t('templates.testSent', { email: sent.to, subject: sent.subject }) });
    } catch (error) {
      setOutcome({ ok: false, text: describeError(error, t) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="test-send" id="test-send" onSubmit={(event) => void send(event)} noValidate>
      <div className="field">
        <label htmlFor="test-send-email">{t('templates.testEmail')}</label>
        <input
          id="test-send-email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          aria-describedby="test-send-hint test-send-outcome"
          aria-invalid={outcome && !outcome.ok ? true : undefined}
        />
        <p className="muted hint" id="test-send-hint">
          {t('templates.testHint')}
        </p>
      </div>
      <button type="submit" disabled={busy || !body || !email.trim()}>
        {busy ? t('templates.sending') : t('templates.sendTest')}
      </button>
      <p id="test-send-outcome" role="status" className={outcome?.ok ? 'announcement' : 'field-problem'}>
        {outcome?.text ?? ''}
      </p>
    </form>
  );
}
