import { ApiError } from '../api/client';
import { type I18n, useI18n } from '../i18n/i18n';

/** What happened, in words: no answer, too many attempts, or the server's own messages (a 400 names each field). */
export function describeError(error: unknown, t: I18n['t']): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  if (error.status === 0) return t('error.network');
  if (error.status === 429) return t('error.tooMany');
  return [t('error.status', { status: error.status }), ...error.messages].join(' ');
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="notice error" role="alert">
      <p>{describeError(error, t)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}
