import { pass } from '../support/pass.js';
import { ServerProcess } from '../support/server-process.js';
import { type SmtpSink } from '../support/smtp-sink.js';
import { ADMIN_KEY, startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/** Headers, rate limits, header injection through contact data, template sandboxing, SQL through segment rules. */
describe('security', () => {
  let t: DeliveryTestApp;
  beforeAll(async () => {
    t = await startDeliveryTestApp({
      PUBLIC_RATE_LIMIT: '5',
      AUTH_FAILURE_LIMIT: '3',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends security headers, with a strict CSP everywhere but the API docs', async () => {
    const health = await t.http().get('/health').expect(200);
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['content-security-policy']).toContain("default-src 'none'");
    expect(health.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(health.headers['x-powered-by']).toBeUndefined();
    const docs = await t.http().get('/docs/').expect(200);
    expect(docs.headers['content-security-policy']).toBeUndefined();
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
  });

  it('counts the public tracking endpoints per address but never refuses them (tracking.e2e.spec.ts: what is not recorded)', async () => {
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await t.http().get('/t/o/not-a-token.gif'));
    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
    expect(answers[0].headers['ratelimit-policy']).toBeDefined();
    expect(answers[6].headers['ratelimit']).toMatch(/r=0/);
  });

  it('refuses an address that keeps presenting wrong keys, but never a right key', async () => {
    const wrong = { Authorization: 'Bearer wrong-key-wrong-key-wrong' };
    // Many concurrent good requests do not use up the budget (only failures count).
    await Promise.all(Array.from({ length: 10 }, () => t.http().get('/v1/contacts').set(t.auth).expect(200)));
    for (let i = 0; i < 3; i++) await t.http().get('/v1/contacts').set(wrong).expect(401);
    const locked = await t.http().get('/v1/contacts').set(wrong).expect(429);
    expect(locked.body.message).toMatch(/failed authentications/);
    await t.http().get('/v1/contacts').expect(429);
    await t.http().get('/v1/contacts').set(t.auth).expect(200);
  });

  it('never logs the admin key', async () => {
    const server = await ServerProcess.start({
      LOG_LEVEL: 'debug',
      SCHEDULER_ENABLED: 'false',
      DATA_DIR: t.dataDir,
      DATABASE_URL: t.database.url,
      ...(t.database.schema ? { DATABASE_SCHEMA: t.database.schema } : {}),
    });
    try {
      expect((await server.request('GET', '/v1/contacts')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.log).toContain('/v1/contacts');
      expect(server.log).not.toContain(ADMIN_KEY);
    } finally {
      await server.kill();
    }
  });
});

describe('data that tries to escape', () => {
  let t: DeliveryTestApp;
  let sink: SmtpSink;
  const post = (path: string, body: unknown) => t.post(path, body);

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    sink = t.sink;
  });
  afterAll(async () => {
    await t.close();
  });

  it('cannot add mail headers through line breaks in contact data', async () => {
    await post('/v1/templates', {
      key: 'inject',
      name: 'Inject',
      variants: [
        { locale: 'en', subject: 'Course {{contact.attributes.course}}', html: '<p>{{contact.attributes.course}}</p>' },
      ],
    }).expect(201);
    await post('/v1/sequences', {
      key: 'inject',
      name: 'Inject',
      triggerEvent: 'signup',
      steps: [{ key: 'only', dayOffset: 0, template: 'inject' }],
    }).expect(201);
    await post('/v1/sequences/inject/activate', {}).expect(200);
    // Names refuse line breaks outright; attributes are free-form, so the message must neutralise them.
    await post('/v1/contacts', { email: 'crlf@example.com', firstName: 'Eve\r\nBcc: x@evil.example' }).expect(400);
    await post('/v1/events', {
      email: 'crlf@example.com',
      name: 'signup',
      occurredAt: '2026-11-24T10:00:00Z',
      contact: { attributes: { course: 'Math\r\nBcc: victim@evil.example\r\nX-Evil: 1' } },
    }).expect(202);
    await pass(t, '2026-11-24T10:05:00Z');
    await sink.waitForCount(1);
    const [message] = sink.messages;
    expect(message.envelopeTo).toEqual(['crlf@example.com']);
    expect(message.parsed.headers.has('bcc')).toBe(false);
    expect(message.parsed.headers.has('x-evil')).toBe(false);
    expect(message.parsed.subject).not.toMatch(/[\r\n]/);
    expect(message.parsed.subject).toContain('Math');
  });

  it('keeps templates away from prototypes and the file system', async () => {
    const preview = await post('/v1/templates', {
      key: 'proto',
      name: 'Proto',
      variants: [
        {
          locale: 'en',
          subject: 'x{{constructor.name}}{{contact.constructor.name}}',
          html: '<p>[{{lookup contact "__proto__"}}][{{contact.__proto__.toString}}][{{#with contact}}{{constructor.constructor}}{{/with}}]</p>',
        },
      ],
    }).expect(201);
    expect(preview.body.key).toBe('proto');
    const rendered = await post('/v1/templates/proto/preview', { contact: { email: 'p@example.com' } }).expect(200);
    expect(rendered.body.subject).toBe('x');
    expect(rendered.body.html).not.toMatch(/function|Object|native code/);
    await post('/v1/templates', {
      key: 'traversal',
      name: 'Traversal',
      variants: [{ locale: 'en', subject: 'x', html: '{{> ../../../../etc/passwd}}' }],
    }).expect(422);
    await post('/v1/templates', {
      key: 'helper',
      name: 'Helper',
      variants: [{ locale: 'en', subject: 'x', html: '{{#each (lookup this "constructor")}}{{/each}}{{log "x"}}' }],
    }).expect(422); // {{log}} would write into our logs: refused (issue 12)
  });

  it('passes segment rule values to SQL only as parameters', async () => {
    await post('/v1/contacts', { email: 'keep@example.com', attributes: { plan: 'pro' } }).expect(201);
    const hostile = "x'); DROP TABLE contacts; --";
    await post('/v1/segments', {
      key: 'hostile',
      name: 'Hostile',
      rule: {
        any: [
          { field: 'email', op: 'eq', value: hostile },
          { field: 'attributes.plan', op: 'in', value: [hostile, "' OR 1=1 --"] },
        ],
      },
    }).expect(201);
    const preview = await t.http().get('/v1/segments/hostile/contacts').set(t.auth).expect(200);
    expect(preview.body.items).toEqual([]);
    await post('/v1/segments', {
      key: 'badfield',
      name: 'Bad field',
      rule: { all: [{ field: "attributes.plan'; DROP TABLE contacts; --", op: 'eq', value: 'x' }] },
    }).expect((response) => expect([201, 400]).toContain(response.status));
    await post('/v1/segments', {
      key: 'badcolumn',
      name: 'Bad column',
      rule: { all: [{ field: 'password_hash', op: 'eq', value: 'x' }] },
    }).expect(400);
    const count = await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM contacts`);
    expect(count.rows[0].n).toBeGreaterThan(0);
  });
});
