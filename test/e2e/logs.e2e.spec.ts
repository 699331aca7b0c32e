import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { prepareServerSurroundings, ServerProcess, type ServerSurroundings } from '../support/server-process.js';

type LogLine = Record<string, unknown> & { level: number; msg?: string };

/** What the built server (dist/main.js) writes to its log: every line is pino's JSON. */
describe('the server log', () => {
  let surroundings: ServerSurroundings;
  let server: ServerProcess | undefined;
  let logDir: string;
  let logFile: string;
  const lines = async (): Promise<LogLine[]> =>
    (await readFile(logFile, 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const waitFor = async (found: (all: LogLine[]) => boolean): Promise<LogLine[]> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const all = await lines();
      if (found(all)) return all;
      if (Date.now() > deadline) throw new Error(`not logged in time:\n${JSON.stringify(all.slice(-20), null, 1)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    logDir = await mkdtemp(path.join(os.tmpdir(), 'touchpoint-log-'));
    logFile = path.join(logDir, 'server.log');
    process.env.SERVER_PROCESS_LOG = logFile;
    surroundings = await prepareServerSurroundings({
      dataDirPrefix: 'touchpoint-logs-',
      withDatabase: Boolean(process.env.DATABASE_URL),
    });
    // The refusal quotes the address, as real servers do: the log must keep it out anyway.
    surroundings.sink.respondWith(({ to }) => {
      if (to.includes('refused@example.com')) return { code: 550, message: `5.7.1 <${to[0]}> refused by policy` };
      if (to.includes('later@example.com')) return { code: 451, message: `4.2.1 <${to[0]}> try again later` };
      return undefined;
    });
    server = await ServerProcess.start({ ...surroundings.env, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    delete process.env.SERVER_PROCESS_LOG;
    await surroundings.close(server);
    await rm(logDir, { recursive: true, force: true });
  });

  it('names failed and retrying sends at warn by delivery, contact and enrollment, never by address or content', async () => {
    const call = async (pathname: string, body: unknown, expected: number) => {
      const response = await server!.request('POST', pathname, body);
      if (response.status !== expected) throw new Error(`${pathname}: ${response.status} ${JSON.stringify(response)}`);
    };
    await call(
      '/v1/templates',
      {
        key: 'mail',
        name: 'Mail',
        variants: [
          { locale: 'en', subject: 'Secret subject', html: '<p>Secret content for {{contact.firstName}}</p>' },
        ],
      },
      201,
    );
    await call(
      '/v1/sequences',
      {
        key: 'news',
        name: 'News',
        triggerEvent: 'joined',
        steps: [{ key: 'welcome', dayOffset: 0, template: 'mail' }],
      },
      201,
    );
    await call('/v1/sequences/news/activate', {}, 200);
    for (const email of ['refused@example.com', 'later@example.com', 'fine@example.com']) {
      await call('/v1/events', { email, name: 'joined', contact: { firstName: 'Zed' } }, 202);
    }
    const all = await waitFor(
      (logged) =>
        logged.some((line) => line.msg === 'delivery failed') &&
        logged.some((line) => line.msg === 'delivery not sent yet; it will be retried'),
    );
    await surroundings.sink.waitForCount(1);

    const deliveries = (await server!.request('GET', '/v1/deliveries')).body as {
      items: Array<{ id: string; contactId: string; email: string; status: string }>;
    };
    const rowOf = (email: string) => deliveries.items.find((item) => item.email === email)!;
    const failed = all.find((line) => line.msg === 'delivery failed')!;
    expect(failed).toMatchObject({
      level: 40,
      deliveryId: rowOf('refused@example.com').id,
      contactId: rowOf('refused@example.com').contactId,
      enrollmentId: expect.any(String),
      status: 'failed',
      attempts: 1,
      cause: 'smtp',
      smtpCode: 550,
      smtpStatus: '5.7.1',
    });
    const retrying = all.find((line) => line.msg === 'delivery not sent yet; it will be retried')!;
    expect(retrying).toMatchObject({
      level: 40,
      deliveryId: rowOf('later@example.com').id,
      contactId: rowOf('later@example.com').contactId,
      status: 'retrying',
      smtpCode: 451,
      smtpStatus: '4.2.1',
      nextAttemptAt: expect.any(String),
    });
    expect(all.filter((line) => line.msg === 'delivery failed')).toHaveLength(1); // the sent one is not logged
    const text = await readFile(logFile, 'utf8');
    for (const secret of ['refused@example.com', 'later@example.com', 'Secret subject', 'Secret content', 'Zed']) {
      expect(text).not.toContain(secret);
    }
  });

  it('logs a request with its status, time and id, without the response headers', async () => {
    const response = await fetch(`${server!.url}/v1/contacts?limit=1`, {
      headers: { Authorization: `Bearer test-admin-key-0123456789abcdef`, 'X-Request-Id': 'log-check-1' },
    });
    expect(response.status).toBe(200);
    const all = await waitFor((logged) =>
      logged.some((line) => (line.req as { id?: string } | undefined)?.id === 'log-check-1'),
    );
    const line = all.find((entry) => (entry.req as { id?: string } | undefined)?.id === 'log-check-1')!;
    expect(line.res).toEqual({ statusCode: 200 });
    expect(line.responseTime).toEqual(expect.any(Number));
    expect(line.msg).toBe('request completed');
  });
});
