import { startTestApp, type TestApp } from '../support/test-app.js';

describe('contacts and segments API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const count = async (table: string) => (await t.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

  describe('POST /v1/contacts', () => {
    it('creates (201), then updates by case-insensitive e-mail (200), merging attributes', async () => {
      const created = await t
        .http()
        .post('/v1/contacts')
        .set(t.auth)
        .send({
          email: 'Maria@Example.md',
          firstName: 'Maria',
          locale: 'ro-md',
          timezone: 'Europe/Chisinau',
          attributes: { plan: 'free', visits: 2 },
        })
        .expect(201);
      expect(created.body).toMatchObject({ email: 'Maria@Example.md', locale: 'ro-MD', status: 'active' });
      const updated = await t
        .http()
        .post('/v1/contacts')
        .set(t.auth)
        .send({ email: 'maria@example.MD', lastName: 'Popescu', attributes: { plan: 'pro', visits: null } })
        .expect(200);
      expect(updated.body).toMatchObject({
        id: created.body.id,
        firstName: 'Maria',
        lastName: 'Popescu',
        attributes: { plan: 'pro' },
      });
    });

    it('names every bad field with 400 and writes nothing', async () => {
      const before = await count('contacts');
      const response = await t
        .http()
        .post('/v1/contacts')
        .set(t.auth)
        .send({
          email: 'not-an-email',
          locale: 'xx_invalid_!!',
          timezone: 'Mars/Olympus',
          attributes: [1],
          extra: true,
        })
        .expect(400);
      const messages: string[] = response.body.message;
      expect(messages).toEqual(
        expect.arrayContaining([
          'property extra should not exist',
          'email must be an email address',
          expect.stringMatching(/^locale must be a BCP 47/),
          expect.stringMatching(/^timezone must be an IANA time zone/),
          expect.stringMatching(/^attributes must be a JSON object/),
        ]),
      );
      expect(await count('contacts')).toBe(before);
    });

    it('refuses names with line breaks (no header injection) and prototype-pollution keys', async () => {
      const lineBreak = await t
        .http()
        .post('/v1/contacts')
        .set(t.auth)
        .send({ email: 'p@example.com', firstName: 'a\r\nBcc: x@evil.com' })
        .expect(400);
      expect(lineBreak.body.message).toEqual(['firstName must not contain line breaks']);
      const response = await t
        .http()
        .post('/v1/contacts')
        .set(t.auth)
        .set('Content-Type', 'application/json')
        .send(
          '{"email":"p@example.com","firstName":"a\\r\\nBcc: x@evil.com","attributes":{"__proto__":{"admin":true}}}',
        )
        .expect(400);
      expect(response.body.message).toBe('body must not use the key "__proto__"');
    });

    it('requires the admin key', async () => {
      await t.http().post('/v1/contacts').send({ email: 'x@example.com' }).expect(401);
    });
  });

  describe('GET, PATCH, DELETE /v1/contacts/:id', () => {
    it('reads, patches, lists by e-mail and erases a contact', async () => {
      const { body: contact } = await t
        .http()
        .post('/v1/contacts')
        .set(t.auth)
        .send({ email: 'ion@example.md', firstName: 'Ion' })
        .expect(201);
      await t
        .http()
        .get(`/v1/contacts/${contact.id}`)
        .set(t.auth)
        .expect(200)
        .expect((r) => expect(r.body.firstName).toBe('Ion'));
      const patched = await t
        .http()
        .patch(`/v1/contacts/${contact.id}`)
        .set(t.auth)
        .send({ timezone: 'Europe/Bucharest' })
        .expect(200);
      expect(patched.body).toMatchObject({ timezone: 'Europe/Bucharest', firstName: 'Ion' });
      const listed = await t.http().get('/v1/contacts?email=ION@example.md').set(t.auth).expect(200);
      expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([contact.id]);

      await t.http().delete(`/v1/contacts/${contact.id}`).set(t.auth).expect(204);
      await t.http().get(`/v1/contacts/${contact.id}`).set(t.auth).expect(404);
      const row = (await t.pool.query(`SELECT email, first_name, status FROM contacts WHERE id = $1`, [contact.id]))
        .rows[0];
      expect(row).toEqual({ email: null, first_name: null, status: 'erased' });
      await t.http().delete(`/v1/contacts/${contact.id}`).set(t.auth).expect(404);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      await t
        .http()
        .get('/v1/contacts/6f1c1b7e-1111-4111-8111-111111111111')
        .set(t.auth)
        .expect(404)
        .expect((r) => expect(r.body.code).toBe('contact.not_found'));
      await t
        .http()
        .get('/v1/contacts/not-a-uuid')
        .set(t.auth)
        .expect(400)
        .expect((r) => expect(r.body.code).toBe('validation'));
      await t
        .http()
        .patch('/v1/contacts/6f1c1b7e-1111-4111-8111-111111111111')
        .set(t.auth)
        .send({ firstName: 'x' })
        .expect(404);
    });

    it('answers 409 when a patch takes another contact’s e-mail', async () => {
      const a = await t.http().post('/v1/contacts').set(t.auth).send({ email: 'a409@example.com' }).expect(201);
      await t.http().post('/v1/contacts').set(t.auth).send({ email: 'b409@example.com' }).expect(201);
      await t
        .http()
        .patch(`/v1/contacts/${a.body.id}`)
        .set(t.auth)
        .send({ email: 'B409@example.com' })
        .expect(409)
        .expect((r) => expect(r.body.code).toBe('contact.email_taken'));
    });

    it('pages through contacts with a cursor', async () => {
      for (let i = 0; i < 5; i++)
        await t
          .http()
          .post('/v1/contacts')
          .set(t.auth)
          .send({ email: `page${i}@example.com` });
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await t
          .http()
          .get('/v1/contacts')
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(t.auth)
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        page.body.items.forEach((item) => seen.add(item.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.size).toBe(
        await t.pool.query(`SELECT count(*)::int n FROM contacts WHERE status <> 'erased'`).then((r) => r.rows[0].n),
      );
      await t.http().get('/v1/contacts?cursor=garbage').set(t.auth).expect(400);
      await t.http().get('/v1/contacts?limit=501').set(t.auth).expect(400);
    });
  });

  describe('POST /v1/contacts/import', () => {
    it('imports JSON: valid rows land, each bad row is reported by number', async () => {
      const response = await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .send([
          { email: 'imp1@example.com', locale: 'ru' },
          { email: 'broken', timezone: 'Nowhere/Land' },
          { email: 'imp2@example.com', firstName: 'Ана' },
          { email: 'IMP1@example.com' },
          'not an object',
        ])
        .expect(200);
      expect(response.body).toEqual({
        created: 2,
        updated: 0,
        rejected: [
          { row: 2, errors: ['email must be an email address', expect.stringMatching(/^timezone must be an IANA/)] },
          { row: 4, errors: ['email IMP1@example.com repeats row 1'] },
          { row: 5, errors: ['must be a JSON object'] },
        ],
      });
      const names = await t.pool.query(`SELECT first_name FROM contacts WHERE email = 'imp2@example.com'`);
      expect(names.rows[0].first_name).toBe('Ана');
    });

    it('imports CSV in UTF-8 with Cyrillic, Romanian diacritics, quoted fields and extra columns as attributes', async () => {
      const csv =
        '\uFEFFemail,firstName,lastName,locale,timezone,city\n' +
        'olga@example.ru,Ольга,"Иванова, мл.",ru,Europe/Moscow,Москва\n' +
        'stefan@example.ro,Ștefan,Țurcanu,ro,Europe/Bucharest,"Iași ""centru"""\n' +
        'bad-row,x,y,ro,Europe/Bucharest,z\n';
      const response = await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(200);
      expect(response.body).toEqual({
        created: 2,
        updated: 0,
        rejected: [{ row: 3, errors: ['email must be an email address'] }],
      });
      const rows = await t.pool.query(
        `SELECT email, first_name, last_name, attributes FROM contacts WHERE email IN ('olga@example.ru', 'stefan@example.ro') ORDER BY email`,
      );
      expect(rows.rows).toEqual([
        { email: 'olga@example.ru', first_name: 'Ольга', last_name: 'Иванова, мл.', attributes: { city: 'Москва' } },
        {
          email: 'stefan@example.ro',
          first_name: 'Ștefan',
          last_name: 'Țurcanu',
          attributes: { city: 'Iași "centru"' },
        },
      ]);
    });

    it('refuses a body that is neither an array nor CSV, broken CSV, and too many rows, writing nothing', async () => {
      const before = await count('contacts');
      await t.http().post('/v1/contacts/import').set(t.auth).send({ email: 'x@example.com' }).expect(400);
      await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .set('Content-Type', 'text/csv')
        .send('email\n"unterminated@example.com\n')
        .expect(400);
      await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .set('Content-Type', 'text/csv')
        .send('name\nx\n')
        .expect(400);
      for (const column of ['constructor', '__proto__', 'attributes.prototype']) {
        const refused = await t
          .http()
          .post('/v1/contacts/import')
          .set(t.auth)
          .set('Content-Type', 'text/csv')
          .send(`email,${column}\nproto@example.com,x\n`)
          .expect(400);
        expect(refused.body.message).toEqual([`CSV header must not use the column name "${column}"`]);
      }
      const tooMany = Array.from({ length: 10_001 }, (_, i) => ({ email: `many${i}@example.com` }));
      const response = await t.http().post('/v1/contacts/import').set(t.auth).send(tooMany).expect(400);
      expect(response.body.message).toEqual(['at most 10000 contacts per import call, got 10001']);
      expect(response.body.code).toBe('contact.import_invalid');
      expect(await count('contacts')).toBe(before);
    });
  });

  describe('segments', () => {
    beforeAll(async () => {
      await t
        .http()
        .post('/v1/contacts/import')
        .set(t.auth)
        .send([
          { email: 'seg-ro@example.com', locale: 'ro', attributes: { price: 'sensitive', orders: 1 } },
          { email: 'seg-ru@example.com', locale: 'ru', attributes: { price: 'sensitive', orders: 5 } },
          { email: 'seg-en@example.com', locale: 'en', attributes: { orders: 9 } },
        ])
        .expect(200);
    });

    it('creates, reads, lists, updates a segment and lists its members with a total', async () => {
      const rule = {
        all: [
          { field: 'attributes.price', op: 'eq', value: 'sensitive' },
          { field: 'attributes.orders', op: 'lt', value: 3 },
        ],
      };
      await t
        .http()
        .post('/v1/segments')
        .set(t.auth)
        .send({ key: 'price-sensitive', name: 'Price-sensitive', rule })
        .expect(201);
      await t.http().post('/v1/segments').set(t.auth).send({ key: 'price-sensitive', name: 'Again', rule }).expect(409);
      await t
        .http()
        .get('/v1/segments/price-sensitive')
        .set(t.auth)
        .expect(200)
        .expect((r) => expect(r.body.rule).toEqual(rule));
      const members = await t.http().get('/v1/segments/price-sensitive/contacts').set(t.auth).expect(200);
      expect(members.body.total).toBe(1);
      expect(members.body.items.map((c: { email: string }) => c.email)).toEqual(['seg-ro@example.com']);

      await t
        .http()
        .put('/v1/segments/price-sensitive')
        .set(t.auth)
        .send({ name: 'Price-sensitive (any orders)', rule: { any: [{ field: 'attributes.price', op: 'exists' }] } })
        .expect(200);
      const after = await t.http().get('/v1/segments/price-sensitive/contacts?limit=1').set(t.auth).expect(200);
      expect(after.body.total).toBe(2);
      expect(after.body.items).toHaveLength(1);
      expect(after.body.nextCursor).not.toBeNull();
      const byQuery = await t.http().get('/v1/contacts?segment=price-sensitive').set(t.auth).expect(200);
      expect(byQuery.body.items).toHaveLength(2);
      const list = await t.http().get('/v1/segments').set(t.auth).expect(200);
      expect(list.body.items.map((s: { key: string }) => s.key)).toContain('price-sensitive');
    });

    it('refuses unknown operators and fields and bad keys with 400, writing nothing', async () => {
      const bad = await t
        .http()
        .post('/v1/segments')
        .set(t.auth)
        .send({ key: 'bad', name: 'Bad', rule: { all: [{ field: 'password', op: 'like', value: 'x' }] } })
        .expect(400);
      expect(bad.body.message).toEqual([
        expect.stringMatching(/^rule\.all\.0\.field/),
        expect.stringMatching(/^rule\.all\.0\.op/),
      ]);
      await t
        .http()
        .post('/v1/segments')
        .set(t.auth)
        .send({ key: 'Bad Key!', name: 'x', rule: { all: [] } })
        .expect(400);
      expect(
        (await t.pool.query(`SELECT count(*)::int n FROM segments WHERE key IN ('bad', 'Bad Key!')`)).rows[0].n,
      ).toBe(0);
    });

    it('answers 404 for an unknown segment', async () => {
      await t
        .http()
        .get('/v1/segments/nope')
        .set(t.auth)
        .expect(404)
        .expect((r) => expect(r.body.code).toBe('segment.not_found'));
      await t
        .http()
        .get('/v1/segments/nope/contacts')
        .set(t.auth)
        .expect(404)
        .expect((r) => expect(r.body.code).toBe('segment.not_found'));
      await t
        .http()
        .put('/v1/segments/nope')
        .set(t.auth)
        .send({ name: 'x', rule: { all: [{ field: 'locale', op: 'exists' }] } })
        .expect(404);
    });
  });
});
