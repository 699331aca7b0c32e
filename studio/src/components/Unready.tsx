import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { ErrorNotice, Loading } from './ErrorNotice';
import type { Loaded } from './useLoad';

/**
 * A record's page before its record is there: the back link, then the loading line, or — when loading failed — the
 * page's own not-found message for the statuses in `missing` (404 unless said), else the error with a retry.
 */
export function Unready({
  loaded,
  back,
  notFound,
  missing = [404],
}: {
  loaded: Exclude<Loaded<unknown>, { state: 'ready' }>;
  back: ReactNode;
  notFound: ReactNode;
  missing?: number[];
}) {
  const absent = loaded.state === 'failed' && loaded.error instanceof ApiError && missing.includes(loaded.error.status);
  return (
    <>
      {back}
      {loaded.state === 'loading' ? (
        <Loading />
      ) : absent ? (
        notFound
      ) : (
        <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
      )}
    </>
  );
}
