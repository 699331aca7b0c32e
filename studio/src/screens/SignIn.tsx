import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../api/client';
import { describeError } from '../components/ErrorNotice';
import { useI18n } from '../i18n/i18n';
import { type Notice, session } from '../session';

/** The key is checked with one cheap call before it is kept: a wrong key is said here, not on the next screen. */
export function SignIn({ notice }: { notice: Notice }) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const candidate = key.trim();
    setChecking(true);
    setProblem(null);
    try {
      await unwrap(
        api.GET('/v1/sequences', {
          params: { query: { limit: 1 } },
          headers: { Authorization: `Bearer ${candidate}` },
        }),
      );
      session.signIn(candidate);
    } catch (error) {
      setProblem(error instanceof ApiError && error.status === 401 ? t('signIn.rejected') : describeError(error, t));
      setChecking(false);
      input.current?.focus();
    }
  }

  const message =
    problem ?? (notice === 'expired' ? t('signIn.expired') : notice === 'signedOut' ? t('signIn.signedOut') : null);
  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      <p>{t('signIn.intro')}</p>
      <form onSubmit={(event) => void submit(event)}>
        <label htmlFor="admin-key">{t('signIn.key')}</label>
        <input
          id="admin-key"
          ref={input}
          type="password"
          autoComplete="current-password"
          required
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-describedby={message ? 'sign-in-message' : undefined}
        />
        <button type="submit" disabled={checking}>
          {checking ? t('signIn.checking') : t('signIn.submit')}
        </button>
      </form>
      {message && (
        <p id="sign-in-message" className={problem || notice === 'expired' ? 'notice error' : 'notice'} role="alert">
          {message}
        </p>
      )}
    </section>
  );
}
