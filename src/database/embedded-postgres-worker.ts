import { parentPort, workerData } from 'node:worker_threads';
import { EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres.js';

/** The worker thread's side of EmbeddedPostgresThread: opens the database, serves it, closes it on request. */
export type EmbeddedWorkerReply =
  { kind: 'started'; url: string } | { kind: 'failed'; message: string } | { kind: 'stopped' };

const port = parentPort!;
try {
  const database = await EmbeddedPostgres.start(workerData as EmbeddedPostgresOptions);
  port.on('message', (message: 'stop') => {
    if (message !== 'stop') return;
    void database
      .stop()
      .catch(() => undefined)
      .finally(() => {
        port.postMessage({ kind: 'stopped' } satisfies EmbeddedWorkerReply);
        port.close();
      });
  });
  port.postMessage({ kind: 'started', url: database.url } satisfies EmbeddedWorkerReply);
} catch (error) {
  port.postMessage({ kind: 'failed', message: (error as Error).message } satisfies EmbeddedWorkerReply);
  port.close();
}
