import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);

describe('npm run demo:load (the online-school example)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(() => t.close());

  it('creates the ru/ro/en templates and the day 0-1-2-4-7-14-21 calendar through the API, and can be re-run', async () => {
    const url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const env = { ...process.env, TOUCHPOINT_URL: url, ADMIN_API_KEY: ADMIN_KEY };
    const first = await run('node', ['scripts/demo-load.js'], { env });
    expect(first.stdout).toContain('activated sequences/webinar-school');
    const second = await run('node', ['scripts/demo-load.js'], { env });
    expect(second.stdout).toContain('updated sequences/webinar-school');

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
  });
});
