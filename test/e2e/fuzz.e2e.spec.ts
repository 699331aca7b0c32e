import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Property: whatever body an admin endpoint receives — random JSON, a valid body with one field of the
 * wrong type, unknown or prototype-polluting keys, huge strings, deep nesting, invalid UTF-8, broken JSON
 * or CSV — it answers below 500, and when it answers 4xx nothing in the database changed.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const TABLES = [
  'contacts',
  'segments',
  'templates',
  'template_variants',
  'sequences',
  'sequence_steps',
  'enrollments',
  'deliveries',
  'events',
  'conversions',
  'tracking_events',
];

type Body = { kind: 'json'; value: unknown } | { kind: 'raw'; type: string; bytes: Buffer };

describe('admin endpoints under random and malformed bodies', () => {
  let t: TestApp;
  let contactId: string;
  let enrollmentId: string;
  const tried = { requests: 0, refused4xx: 0, accepted2xx: 0, serverErrors: 0, byStatus: {} as Record<string, number> };

  beforeAll(async () => {
    t = await startTestApp({ SCHEDULER_TEST_CLOCK: 'true' });
    const post = (pathname: string, body: object) => t.http().post(pathname).set(t.auth).send(body);
    await post('/v1/templates', {
      key: 'fz',
      name: 'Fuzz',
      variants: [{ locale: 'en', subject: 'Hi {{contact.firstName}}', html: '<p>Hi</p>' }],
    }).expect(201);
    await post('/v1/segments', {
      key: 'fzs',
      name: 'Fuzz segment',
      rule: { all: [{ field: 'email', op: 'contains', value: '@fuzz' }] },
    }).expect(201);
    await post('/v1/sequences', {
      key: 'fzq',
      name: 'Fuzz sequence',
      triggerEvent: 'signup',
      steps: [{ key: 'a', dayOffset: 0, template: 'fz' }],
    }).expect(201);
    await post('/v1/sequences', {
      key: 'fzlive',
      name: 'Live',
      steps: [{ key: 'a', dayOffset: 3, template: 'fz' }],
    }).expect(201);
    await post('/v1/sequences/fzlive/activate', {}).expect(200);
    contactId = (await post('/v1/contacts', { email: 'base@fuzz.example', firstName: 'Base' }).expect(201)).body.id;
    enrollmentId = (await post('/v1/sequences/fzlive/enrollments', { email: 'base@fuzz.example' }).expect(201)).body.id;
  });
  afterAll(async () => {
    if (process.env.FAULT_REPORT_DIR) {
      await writeFile(
        path.join(process.env.FAULT_REPORT_DIR, `fuzz-${t.database.kind}.json`),
        JSON.stringify(tried, null, 2),
      );
    }
    await t?.close();
  });

  const fingerprint = async () => {
    const parts = await Promise.all(
      TABLES.map(
        async (table) =>
          (
            await t.pool.query<{ f: string | null }>(
              `SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS f FROM ${table} x`,
            )
          ).rows[0].f,
      ),
    );
    return parts.join(',');
  };

  /** A valid body, then the ways to spoil it. */
  const bodies = (valid: Record<string, unknown>): fc.Arbitrary<Body> => {
    const keys = Object.keys(valid);
    const json = (value: unknown): Body => ({ kind: 'json', value });
    const raw = (text: string | Buffer, type = 'application/json'): Body => ({
      kind: 'raw',
      type,
      bytes: Buffer.isBuffer(text) ? text : Buffer.from(text),
    });
    return fc.oneof(
      fc.jsonValue().map(json),
      fc
        .record({ key: fc.constantFrom(...keys), value: fc.jsonValue() })
        .map(({ key, value }) => json({ ...valid, [key]: value })),
      fc.string({ minLength: 1, maxLength: 20 }).map((key) => json({ ...valid, [`x${key}`]: 1 })),
      fc
        .constantFrom('__proto__', 'constructor', 'prototype')
        .map((key) => raw(JSON.stringify(valid).replace(/^\{/, `{"${key}":{"isAdmin":true},`))),
      fc
        .record({ key: fc.constantFrom(...keys), size: fc.integer({ min: 10_000, max: 1_500_000 }) })
        .map(({ key, size }) => json({ ...valid, [key]: 'x'.repeat(size) })),
      fc.integer({ min: 100, max: 20_000 }).map((depth) => raw('['.repeat(depth) + ']'.repeat(depth))),
      fc.integer({ min: 1, max: 40 }).map((cut) => raw(JSON.stringify(valid).slice(0, -cut))),
      fc
        .uint8Array({ minLength: 1, maxLength: 8 })
        .map((junk) =>
          raw(Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, ...junk]), Buffer.from('"}')])),
        ),
      fc.constant(raw('x'.repeat(2_000_000))),
    );
  };

  const endpoints: Array<{
    method: 'post' | 'put' | 'patch';
    path: () => string;
    valid: Record<string, unknown>;
    name?: string;
  }> = [
    { method: 'post', path: () => '/v1/contacts', valid: { email: 'new@fuzz.example', firstName: 'N', locale: 'ro' } },
    {
      method: 'patch',
      path: () => `/v1/contacts/${contactId}`,
      valid: { firstName: 'B', attributes: { plan: 'pro' } },
    },
    {
      method: 'post',
      path: () => '/v1/segments',
      valid: { key: 'seg2', name: 'S', rule: { all: [{ field: 'locale', op: 'eq', value: 'ro' }] } },
    },
    { method: 'put', path: () => '/v1/segments/fzs', valid: { name: 'S', rule: { any: [] } } },
    {
      method: 'post',
      path: () => '/v1/templates',
      valid: { key: 'tpl2', name: 'T', variants: [{ locale: 'en', subject: 's', html: '<p>h</p>' }] },
    },
    {
      method: 'put',
      path: () => '/v1/templates/fz',
      valid: { name: 'T', variants: [{ locale: 'en', subject: 's', html: '<p>h</p>' }] },
    },
    { method: 'post', path: () => '/v1/templates/fz/preview', valid: { contact: { email: 'p@fuzz.example' } } },
    {
      method: 'post',
      path: () => '/v1/sequences',
      valid: { key: 'seq2', name: 'Q', steps: [{ key: 'a', dayOffset: 0, template: 'fz' }] },
    },
    {
      method: 'put',
      path: () => '/v1/sequences/fzq',
      valid: { name: 'Q', steps: [{ key: 'a', dayOffset: 1, template: 'fz' }] },
    },
    { method: 'post', path: () => '/v1/sequences/fzlive/enrollments', valid: { email: 'base@fuzz.example' } },
    {
      method: 'post',
      path: () => '/v1/events',
      valid: { email: 'ev@fuzz.example', name: 'signup', occurredAt: '2026-11-24T10:00:00Z', properties: { a: 1 } },
    },
    {
      method: 'post',
      name: '/v1/enrollments/:id/exit',
      path: () => `/v1/enrollments/${enrollmentId}/exit`,
      valid: { reason: 'manual' },
    },
    { method: 'post', path: () => '/v1/scheduler/run', valid: { now: '2026-11-24T10:00:00Z' } },
  ];

  const send = async (method: 'post' | 'put' | 'patch', pathname: string, body: Body) => {
    const request = t.http()[method](pathname).set(t.auth);
    const response =
      body.kind === 'json'
        ? await request.set('Content-Type', 'application/json').send(JSON.stringify(body.value))
        : await request.set('Content-Type', body.type).send(body.bytes);
    tried.requests++;
    tried.byStatus[response.status] = (tried.byStatus[response.status] ?? 0) + 1;
    if (response.status >= 500) tried.serverErrors++;
    else if (response.status >= 400) tried.refused4xx++;
    else tried.accepted2xx++;
    return response;
  };

  for (const endpoint of endpoints) {
    it(`${endpoint.method.toUpperCase()} ${endpoint.name ?? endpoint.path()}`, async () => {
      await fc.assert(
        fc.asyncProperty(bodies(endpoint.valid), async (body) => {
          const before = await fingerprint();
          const response = await send(endpoint.method, endpoint.path(), body);
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.body).toMatchObject({ statusCode: response.status });
            expect(await fingerprint()).toBe(before);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('POST /v1/contacts/import (JSON and CSV)', async () => {
    const csv = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.constant('email,firstName\n"broken@fuzz.example,Ann\n'),
      fc.constant('email,firstName\nok@fuzz.example,"Ann"x"\n'),
      fc.constant('"email"",first\n'),
      fc
        .array(fc.tuple(fc.string(), fc.string()), { maxLength: 20 })
        .map((rows) => `email,firstName\n${rows.map(([a, b]) => `${a},"${b}`).join('\n')}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          csv.map((text): Body => ({ kind: 'raw', type: 'text/csv', bytes: Buffer.from(text) })),
          bodies({ 0: { email: 'i@fuzz.example' } }).map((body) =>
            body.kind === 'json' && body.value && typeof body.value === 'object' && !Array.isArray(body.value)
              ? { kind: 'json' as const, value: Object.values(body.value as object) }
              : body,
          ),
        ),
        async (body) => {
          const before = await fingerprint();
          const response = await send('post', '/v1/contacts/import', body);
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) expect(await fingerprint()).toBe(before);
        },
      ),
      { numRuns: RUNS * 2 },
    );
    expect(tried.serverErrors).toBe(0);
  });
});
