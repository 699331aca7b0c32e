import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { seedCampaign } from '../support/campaign.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The app's address, listening on a port of its own (supertest cannot send half a body). */
async function addressOf(t: TestApp): Promise<{ host: string; port: number }> {
  const server = t.app.getHttpServer() as http.Server;
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** False when the server cut the transfer before the end of the body it announced. */
  complete: boolean;
}

/**
 * Announces `contentLength` bytes, sends only `firstChunk` and waits for the reply: a reply that arrives
 * was decided without the rest of the body (which is never sent).
 */
async function sendPartially(
  t: TestApp,
  options: {
    method?: string;
    path: string;
    headers: Record<string, string>;
    contentLength: number;
    firstChunk: Buffer;
  },
): Promise<Reply> {
  const { host, port } = await addressOf(t);
  return new Promise<Reply>((resolve, reject) => {
    const request = http.request({
      host,
      port,
      method: options.method ?? 'POST',
      path: options.path,
      headers: { ...options.headers, 'Content-Length': String(options.contentLength) },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString(),
          complete: true,
        });
        request.destroy();
      });
    });
    request.write(options.firstChunk);
  });
}

/** A GET read to its end or to the server's cutting it. */
async function get(t: TestApp, path: string, headers: Record<string, string>): Promise<Reply> {
  const { host, port } = await addressOf(t);
  return new Promise<Reply>((resolve, reject) => {
    const request = http.get({ host, port, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => undefined); // 'aborted': seen through `complete` below
      response.on('close', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString(),
          complete: response.complete,
        }),
      );
    });
    request.on('error', reject);
  });
}

const csvRows = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `edge${from + i}@example.com,Row${from + i}\n`).join('');

describe('the HTTP edge', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const count = async (table: string) => Number((await t.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

  describe('the admin key is checked before any body is read', () => {
    it.each(['/v1/contacts/import', '/v1/contacts', '/V1/Segments'])(
      'answers 401 to %s while a 19 MB body is still on its way',
      async (path) => {
        const reply = await sendPartially(t, {
          path,
          headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'edge-401' },
          contentLength: 19 * 1024 * 1024,
          firstChunk: Buffer.from('[' + '{"email":"a@example.com"},'.repeat(2000)),
        });
        expect(reply.status).toBe(401);
        expect(JSON.parse(reply.text)).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'Missing Authorization: Bearer <ADMIN_API_KEY>',
          code: 'unauthorized',
          requestId: 'edge-401',
        });
      },
    );

    it('does the same for a wrong key, and still imports with the right one', async () => {
      const wrong = await sendPartially(t, {
        path: '/v1/contacts/import',
        headers: { 'Content-Type': 'text/csv', Authorization: 'Bearer wrong-key-wrong-key-wrong' },
        contentLength: 19 * 1024 * 1024,
        firstChunk: Buffer.from('email,firstName\n' + csvRows(0, 1000)),
      });
      expect(wrong.status).toBe(401);
      expect(JSON.parse(wrong.text).message).toBe('Invalid API key');

      await t
        .post('/v1/contacts/import', [{ email: 'keyed-json@example.com' }])
        .expect(200, { created: 1, updated: 0, rejected: [] });
      await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .set('Content-Type', 'text/csv; charset=utf-8')
        .send('email,firstName\nkeyed-csv@example.com,Ион\n')
        .expect(200, { created: 1, updated: 0, rejected: [] });
      const names = await t.pool.query(`SELECT first_name FROM contacts WHERE email = 'keyed-csv@example.com'`);
      expect(names.rows).toEqual([{ first_name: 'Ион' }]);
    });
  });

  describe('bodies are capped by route, and an import stops at its row limit', () => {
    it('stops reading a CSV at row 10,001 and refuses it with 400, writing nothing', async () => {
      const before = await count('contacts');
      const reply = await sendPartially(t, {
        path: '/v1/contacts/import',
        headers: { ...t.auth, 'Content-Type': 'text/csv' },
        contentLength: 19 * 1024 * 1024,
        firstChunk: Buffer.from('email,firstName\n' + csvRows(0, 10_050)),
      });
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.text)).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        message: [expect.stringMatching(/^at most 10000 contacts per import call; this CSV has more/)],
      });
      expect(await count('contacts')).toBe(before);
    });

    it('imports exactly 10,000 CSV rows, gzip-compressed', async () => {
      const csv = 'email,firstName\n' + csvRows(100_000, 10_000);
      const response = await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .set('Content-Type', 'text/csv')
        .set('Content-Encoding', 'gzip')
        .send(gzipSync(csv))
        .expect(200);
      expect(response.body).toEqual({ created: 10_000, updated: 0, rejected: [] });
    });

    it('refuses over 20 MB with 413 in the API error shape: announced, or once decompressed', async () => {
      const announced = await sendPartially(t, {
        path: '/v1/contacts/import',
        headers: { ...t.auth, 'Content-Type': 'text/csv', 'X-Request-Id': 'edge-413' },
        contentLength: 21 * 1024 * 1024,
        firstChunk: Buffer.from('email\n'),
      });
      expect(announced.status).toBe(413);
      expect(JSON.parse(announced.text)).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'Request body is too large: at most 20 MB per import call',
        code: 'contact.import_too_large',
        requestId: 'edge-413',
      });
      // 21 MB of blanks compress to a few kB: the cap counts what the body inflates to.
      const bomb = gzipSync('[' + ' '.repeat(21 * 1024 * 1024) + ']');
      const before = await count('contacts');
      // (Sent by hand: supertest would serialise a Buffer as JSON under a JSON content type.)
      const inflated = await sendPartially(t, {
        path: '/v1/contacts/import',
        headers: { ...t.auth, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        contentLength: bomb.length,
        firstChunk: bomb,
      });
      expect(inflated.status).toBe(413);
      expect(JSON.parse(inflated.text).message).toBe('Request body is too large: at most 20 MB per import call');
      expect(await count('contacts')).toBe(before);
      const notGzip = await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .set('Content-Type', 'text/csv')
        .set('Content-Encoding', 'gzip')
        .send('email\nplain@example.com\n');
      expect(notGzip.status).toBe(400);
      expect(notGzip.body.message).toBe('Request body is not valid gzip data');
    });

    it.each(['__proto__', 'Constructor', 'attributes.prototype'])('refuses a CSV column named %s', async (column) => {
      const response = await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .set('Content-Type', 'text/csv')
        .send(`email,${column}\nproto-csv@example.com,x\n`)
        .expect(400);
      expect(response.body.message).toEqual([`CSV header must not use the column name "${column}"`]);
    });

    it('counts a JSON array past 10,000 elements before parsing its rows', async () => {
      const response = await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .set('Content-Type', 'application/json')
        // The prototype key at element 20,000 would be refused while parsing: the count refuses first.
        .send(
          '[' +
            Array(50_000)
              .fill('0')
              .join(',')
              .replace('0,'.repeat(20_000), '0,'.repeat(19_999) + '{"__proto__":1},') +
            ']',
        )
        .expect(400);
      expect(response.body.message).toEqual(['at most 10000 contacts per import call, got 50000']);
    });

    it('caps other routes at 1 MB, with a 413 that says so and carries the request id', async () => {
      const response = await t
        .http()
        .post('/v1/contacts')
        .set(t.auth)
        .set('X-Request-Id', 'edge-1mb')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ email: 'big@example.com', firstName: 'x'.repeat(1_100_000) }))
        .expect(413);
      expect(response.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'Request body is too large: at most 1 MB here',
        code: 'payload_too_large',
        requestId: 'edge-1mb',
      });
    });

    it('still refuses prototype keys anywhere in a JSON body', async () => {
      const response = await t
        .http()
        .post('/v1/contacts')
        .set(t.auth)
        .set('Content-Type', 'application/json')
        .send('{"email":"proto@example.com","attributes":{"a":[{"__proto__":{"admin":true}}]}}')
        .expect(400);
      expect(response.body.message).toBe('body must not use the key "__proto__"');
    });
  });

  describe('NUL characters are refused at the door, naming the field', () => {
    it('in a contact, an import row (JSON and CSV), a segment key and a delivery-log filter', async () => {
      const before = await count('contacts');
      const contact = await t.post('/v1/contacts', { email: 'nul@example.com', firstName: 'A\u0000B' }).expect(400);
      expect(contact.body.message).toEqual(['firstName must not contain the NUL character (\\u0000)']);
      const attributeKey = await t.post('/v1/contacts', { email: 'nul@example.com', attributes: { 'a\u0000': 1 } });
      expect(attributeKey.status).toBe(400);
      expect(attributeKey.body.message).toEqual(['a key of attributes must not contain the NUL character (\\u0000)']);

      const json = await t
        .post('/v1/contacts/import', [{ email: 'nul1@example.com' }, { email: 'nul2@example.com', lastName: '\u0000' }])
        .expect(400);
      expect(json.body.message).toEqual(['row 2: lastName must not contain the NUL character (\\u0000)']);
      const csv = await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .set('Content-Type', 'text/csv')
        .send('email,firstName\nnul3@example.com,ok\nnul4@example.com,a\u0000b\n')
        .expect(400);
      expect(csv.body.message).toEqual(['CSV row 2, column 2 must not contain the NUL character (\\u0000)']);
      expect(await count('contacts')).toBe(before);

      const segment = await t.http().get('/v1/segments/a%00b').set(t.auth).expect(400);
      expect(segment.body.message).toEqual(['key must not contain the NUL character (\\u0000)']);
      const created = await t.post('/v1/segments', {
        key: 'nul-rule',
        name: 'N\u0000',
        rule: { all: [{ field: 'email', op: 'eq', value: 'x\u0000' }] },
      });
      expect(created.status).toBe(400);
      expect(await count('segments')).toBe(0);

      const filter = await t.http().get('/v1/deliveries?sequence=a%00b').set(t.auth).expect(400);
      expect(filter.body.message).toEqual(['sequence must not contain the NUL character (\\u0000)']);
      const csvFilter = await t
        .http()
        .get('/v1/conversions?sequence=a%00b')
        .set(t.auth)
        .set('Accept', 'text/csv')
        .expect(400);
      expect(csvFilter.body.message).toEqual(['sequence must not contain the NUL character (\\u0000)']);
    });
  });
});

describe('CSV exports', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ SCHEDULER_TEST_CLOCK: 'true' });
    await seedCampaign(t.post, {
      key: 'export',
      domain: 'export.example',
      prefix: 'x',
      contacts: 1001,
      steps: [{ key: 'one', dayOffset: 0 }],
      startAt: '2026-11-24T10:00:00Z',
    });
    // One delivery and one conversion per enrollment, a second apart: 1001 rows, two pages of an export.
    await t.pool.query(`
      INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, sent_at, created_at)
      SELECT e.contact_id, e.id, e.sequence_id, s.id, 'sent', now(),
             now() - row_number() OVER (ORDER BY e.id) * interval '1 second'
      FROM enrollments e JOIN sequence_steps s ON s.sequence_id = e.sequence_id`);
    await t.pool.query(`
      INSERT INTO conversions (contact_id, enrollment_id, sequence_id, event_name, occurred_at)
      SELECT e.contact_id, e.id, e.sequence_id, 'bought', now() - row_number() OVER (ORDER BY e.id) * interval '1 second'
      FROM enrollments e`);
  });
  afterAll(() => t.close());

  it.each(['/v1/deliveries', '/v1/conversions'])(
    '%s with a bad filter answers as the JSON list does, before any CSV goes out',
    async (path) => {
      const query = '?since=2026-01-01T00:00:00Z&until=2026-02-31T99:00Z';
      const json = await get(t, path + query, t.auth);
      const csv = await get(t, path + query, { ...t.auth, Accept: 'text/csv' });
      expect(json.status).toBeGreaterThanOrEqual(400);
      expect(json.status).toBeLessThan(500);
      expect(csv.status).toBe(json.status);
      expect(csv.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(csv.text)).toEqual({ ...JSON.parse(json.text), requestId: expect.any(String) });
      expect(csv.complete).toBe(true);
    },
  );

  /** A time no JavaScript Date can print, put in the first page's row or in the last page's. */
  const poison: Record<string, { first: string; last: string; heal: string }> = {
    '/v1/deliveries': {
      first: `UPDATE deliveries SET sent_at = 'infinity' WHERE id = (SELECT id FROM deliveries ORDER BY created_at DESC LIMIT 1)`,
      last: `UPDATE deliveries SET sent_at = 'infinity' WHERE id = (SELECT id FROM deliveries ORDER BY created_at LIMIT 1)`,
      heal: `UPDATE deliveries SET sent_at = now() WHERE sent_at = 'infinity'`,
    },
    '/v1/conversions': {
      first: `UPDATE conversions SET occurred_at = 'infinity' WHERE id = (SELECT id FROM conversions ORDER BY occurred_at DESC LIMIT 1)`,
      last: `UPDATE conversions SET occurred_at = '-infinity' WHERE id = (SELECT id FROM conversions ORDER BY occurred_at LIMIT 1)`,
      heal: `UPDATE conversions SET occurred_at = now() - interval '1 hour' WHERE occurred_at IN ('infinity', '-infinity')`,
    },
  };

  it.each(Object.keys(poison))("%s: a first page that fails gets the JSON list's error, not a 200", async (path) => {
    await t.pool.query(poison[path].first);
    try {
      const json = await get(t, path, t.auth);
      const csv = await get(t, path, { ...t.auth, Accept: 'text/csv' });
      expect(json.status).toBe(500);
      expect(csv.status).toBe(500);
      expect(csv.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(csv.text)).toEqual({ ...JSON.parse(json.text), requestId: expect.any(String) });
    } finally {
      await t.pool.query(poison[path].heal);
    }
  });

  it.each(Object.keys(poison))(
    '%s cuts the transfer when a page fails after the 200, instead of hanging',
    async (path) => {
      const whole = await get(t, path, { ...t.auth, Accept: 'text/csv' });
      expect(whole).toMatchObject({ status: 200, complete: true });
      expect(whole.text.trim().split('\r\n')).toHaveLength(1 + 1001);

      await t.pool.query(poison[path].last);
      try {
        const cut = await get(t, path, { ...t.auth, Accept: 'text/csv' });
        expect(cut.status).toBe(200);
        expect(cut.complete).toBe(false);
        expect(cut.text.split('\r\n').length).toBeGreaterThan(1000);
      } finally {
        await t.pool.query(poison[path].heal);
      }
    },
  );
});

describe('TRUST_PROXY decides whose X-Forwarded-For names the client', () => {
  const wrong = { Authorization: 'Bearer wrong-key-wrong-key-wrong' };
  const statuses = async (t: TestApp, addresses: string[]) => {
    const seen: number[] = [];
    for (const address of addresses) {
      seen.push((await t.http().get('/v1/contacts').set(wrong).set('X-Forwarded-For', address)).status);
    }
    return seen;
  };

  it('with TRUST_PROXY=false a forged X-Forwarded-For does not buy a fresh failed-auth budget', async () => {
    const t = await startTestApp({ TRUST_PROXY: 'false', AUTH_FAILURE_LIMIT: '2' });
    try {
      expect(await statuses(t, ['203.0.113.1', '203.0.113.2', '203.0.113.3'])).toEqual([401, 401, 429]);
    } finally {
      await t.close();
    }
  });

  it('by default a loopback proxy is believed: each forwarded client has its own budget', async () => {
    const t = await startTestApp({ AUTH_FAILURE_LIMIT: '2' });
    try {
      expect(await statuses(t, ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.1', '203.0.113.1'])).toEqual([
        401, 401, 401, 401, 429,
      ]);
    } finally {
      await t.close();
    }
  });
});
