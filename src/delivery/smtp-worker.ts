import { parentPort, workerData } from 'node:worker_threads';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { DkimConfig } from '../config/mail-options.js';
import { createMailTransporter } from './dkim.js';
import type { SendFailure } from './mail-transport-contract.js';

/** What the main thread asks of the SMTP worker. */
export type SmtpWorkerRequest = { kind: 'send'; id: number; message: Mail.Options } | { kind: 'close' };

/** The worker's answer to one send; an error keeps what the retry policy needs (reply code and text). */
export type SmtpWorkerReply =
  { id: number; ok: true; messageId: string; response: string } | { id: number; ok: false; error: SendFailure };

export interface SmtpWorkerData {
  /** nodemailer transport options (pool, connections, rate limit, URL); plain data, cloned into the worker. */
  options: Record<string, unknown>;
  /** The key every message is signed with (checked at boot), or none. */
  dkim: DkimConfig | undefined;
}

/**
 * nodemailer's MIME building and SMTP client on a thread of their own. They cost as much CPU per message
 * as everything else in a send (rendering, tracking links, the delivery log) together; on the scheduler's
 * thread they took turns with it, here they overlap.
 */
function serve(port: NonNullable<typeof parentPort>, data: SmtpWorkerData): void {
  const transporter = createMailTransporter(data.options, data.dkim);
  port.on('message', (request: SmtpWorkerRequest) => {
    if (request.kind === 'close') {
      transporter.close();
      port.close();
      return;
    }
    const { id } = request;
    transporter.sendMail(request.message).then(
      (info: { messageId: string; response?: unknown }) =>
        port.postMessage({
          id,
          ok: true,
          messageId: info.messageId,
          response: String(info.response ?? ''),
        } satisfies SmtpWorkerReply),
      (error: unknown) => {
        const record = (error ?? {}) as SendFailure;
        port.postMessage({
          id,
          ok: false,
          // The codes tell the breaker a timeout or a refused connection from a reply the server chose.
          error: {
            message: record.message ?? String(error),
            responseCode: record.responseCode,
            response: record.response,
            code: record.code,
            originalCode: record.originalCode,
          },
        } satisfies SmtpWorkerReply);
      },
    );
  });
}

if (parentPort) serve(parentPort, workerData as SmtpWorkerData);
