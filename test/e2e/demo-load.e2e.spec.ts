import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { prepareServerSurroundings, ServerProcess, type ServerSurroundings } from '../support/server-process.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);

describe('npm run demo:load (the online-school example)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(() => t.close());

  it('creates the ru/ro/en templates, the day 0-1-2-4-7-14-21 calendar and the sample contacts, and can be re-run', async () => {
    const url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const env = { ...process.env, ADMIN_API_KEY: ADMIN_KEY, TOUCHPOINT_URL: 'http://127.0.0.1:9', DATA_DIR: t.dataDir };
    // --url wins over TOUCHPOINT_URL (which points nowhere here).
    const first = await run('node', ['scripts/demo-load.js', '--url', url], { env });
    expect(first.stdout).toContain('activated sequences/webinar-school');
    expect(first.stdout).toContain('contacts: 48 created, 0 updated');
    // This server has no test clock: the script says so and how to get one.
    expect(first.stdout).toContain('SCHEDULER_TEST_CLOCK=true');
    const second = await run('node', ['scripts/demo-load.js', '--url', url], { env });
    expect(second.stdout).toContain('updated sequences/webinar-school');
    expect(second.stdout).toContain('contacts: 0 created, 48 updated');

    const sequence = await t.http().get('/v1/sequences/webinar-school').set(t.auth).expect(200);
    expect(sequence.body.status).toBe('active');
    expect(sequence.body.steps.map((step: { dayOffset: number }) => step.dayOffset)).toEqual([0, 1, 2, 4, 7, 14, 21]);
    for (const locale of ['ru', 'ro', 'en']) {
      const preview = await t
        .http()
        .post('/v1/templates/webinar-welcome/preview')
        .set(t.auth)
        .send({ contact: { firstName: 'Ana', locale } })
        .expect(200);
      expect(preview.body.locale).toBe(locale);
      expect(preview.body.subject).toContain('Ana');
    }
    // The early cohort signed up (once, though told twice); the three who refused marketing are not enrolled.
    const enrollments = await t.http().get('/v1/enrollments?sequence=webinar-school&limit=500').set(t.auth).expect(200);
    expect(enrollments.body.items).toHaveLength(28);
  });
});

describe('npm run demo:load beside a server started without ADMIN_API_KEY, with the test clock', () => {
  let around: ServerSurroundings;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    around = await prepareServerSurroundings({ dataDirPrefix: 'touchpoint-demo-', withDatabase: true });
  });
  afterAll(() => around.close(server));

  const start = () =>
    ServerProcess.start({ ...around.env, ADMIN_API_KEY: '', SMTP_URL: '', SCHEDULER_TEST_CLOCK: 'true' });

  it('reads the key the server keeps in DATA_DIR, finds it by PORT, plays the weeks out: a living funnel', async () => {
    server = await start();
    const keyFile = path.join(around.dataDir, 'admin-key');
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect(key.length).toBeGreaterThanOrEqual(16);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(server.log).toContain(`kept it in ${keyFile}`);

    // No ADMIN_API_KEY, no --url: the key from DATA_DIR/admin-key, the server at localhost:$PORT.
    const env = { PATH: process.env.PATH ?? '', DATA_DIR: around.dataDir, PORT: String(server.port) };
    const loaded = await run('node', ['scripts/demo-load.js'], { env });
    expect(loaded.stdout).toMatch(/test clock: \d+ passes/);
    // The server writes to DATA_DIR/outbox (no SMTP_URL): about half of the e-mails are read.
    expect(loaded.stdout).toMatch(/opens: [1-9]\d* of the e-mails/);

    const call = async (pathname: string, bearer = key) => {
      const response = await fetch(`${server!.url}${pathname}`, { headers: { Authorization: `Bearer ${bearer}` } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const funnel = (await call('/v1/sequences/webinar-school/funnel')).body as {
      totals: { enrolled: number; active: number; converted: number };
      steps: Array<{ key: string; sent: number; opened: number }>;
    };
    // 48 contacts, 3 outside the audience; the late cohort is still in its calendar, a third bought the course.
    expect(funnel.totals.enrolled).toBe(45);
    expect(funnel.totals.active).toBeGreaterThan(0);
    expect(funnel.totals.converted).toBeGreaterThan(5);
    const sent = Object.fromEntries(funnel.steps.map((step) => [step.key, step.sent]));
    expect(sent.welcome).toBe(45);
    expect(sent.feedback).toBeGreaterThan(0);
    expect(sent.welcome).toBeGreaterThan(sent.feedback);
    const welcome = funnel.steps[0];
    expect(welcome.opened).toBeGreaterThan(welcome.sent / 4);
    expect(welcome.opened).toBeLessThan(welcome.sent);

    // A restart keeps the key: the studio's sign-in and the script's file stay valid.
    await server.stop();
    server = await start();
    expect(server.log).toContain(`using the key kept in ${keyFile}`);
    expect((await call('/v1/sequences/webinar-school')).status).toBe(200);
    expect((await call('/v1/sequences/webinar-school', ADMIN_KEY)).status).toBe(401);
  });
});
