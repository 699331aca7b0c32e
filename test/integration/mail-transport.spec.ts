import type { Worker } from 'node:worker_threads';
import { loadConfig } from '../../src/config/app-config.js';
import { SendError, WorkerSmtpMailTransport } from '../../src/delivery/mail-transport.js';
import { SmtpSink } from '../support/smtp-sink.js';

const message = (to: string) => ({
  from: 'Touchpoint <no-reply@touchpoint.test>',
  to,
  subject: `Hello ${to}`,
  html: '<p>Привет</p>',
  text: 'Привет',
  messageId: `<${to}@touchpoint.test>`,
});

describe('SMTP in a worker thread', () => {
  let sink: SmtpSink;
  let transport: WorkerSmtpMailTransport;

  beforeEach(async () => {
    sink = await SmtpSink.start();
    transport = new WorkerSmtpMailTransport(
      loadConfig({ SMTP_URL: sink.url, SMTP_MAX_CONNECTIONS: '2', ADMIN_API_KEY: 'k'.repeat(16) }),
    );
  });
  afterEach(async () => {
    await transport.close();
    await sink.close();
  });

  const worker = () => (transport as unknown as { worker: Worker | undefined }).worker;

  it('delivers what it is given and answers with the server reply', async () => {
    const results = await Promise.all(
      ['a@example.com', 'b@example.com', 'c@example.com'].map((to) => transport.send(message(to))),
    );
    expect(results.map((result) => result.messageId)).toEqual([
      '<a@example.com@touchpoint.test>',
      '<b@example.com@touchpoint.test>',
      '<c@example.com@touchpoint.test>',
    ]);
    expect(results[0].response).toMatch(/^250 /);
    expect(sink.to('b@example.com')[0].parsed.text?.trim()).toBe('Привет');
  });

  it('keeps the reply code of a refusal, so the retry policy can tell 4xx from 5xx', async () => {
    sink.respondWith(({ to }) =>
      to[0] === 'gone@example.com'
        ? { code: 550, message: '5.1.1 mailbox unavailable' }
        : { code: 451, message: 'try later' },
    );
    const hard = await transport.send(message('gone@example.com')).catch((error: unknown) => error);
    const soft = await transport.send(message('busy@example.com')).catch((error: unknown) => error);
    expect(hard).toBeInstanceOf(SendError);
    expect(hard).toMatchObject({ responseCode: 550, transient: false, hardBounce: true });
    expect(soft).toMatchObject({ responseCode: 451, transient: true });
  });

  it('fails the sends in flight as transient when the worker dies, and starts a new one for the next send', async () => {
    sink.respondWith(({ to }) => (to[0] === 'slow@example.com' ? { delayMs: 1_000 } : undefined));
    await transport.send(message('first@example.com'));
    const first = worker();
    const inFlight = transport.send(message('slow@example.com')).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await first!.terminate();
    const failure = await inFlight;
    expect(failure).toBeInstanceOf(SendError);
    expect(failure).toMatchObject({ responseCode: undefined, transient: true });

    await transport.send(message('after@example.com'));
    expect(worker()).not.toBe(first);
    expect(sink.to('after@example.com')).toHaveLength(1);
  });

  it('refuses sends once closed', async () => {
    await transport.send(message('x@example.com'));
    await transport.close();
    await expect(transport.send(message('y@example.com'))).rejects.toThrow(/closed/);
  });
});
