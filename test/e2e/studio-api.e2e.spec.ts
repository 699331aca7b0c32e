import { startTestApp, type TestApp } from '../support/test-app.js';
import { realServer } from '../support/test-engine.js';

/** Two connections at once, one waiting on the other's lock: PostgreSQL, not PGlite's single connection. */
const onServer = realServer ? it : it.skip;

/**
 * The API gaps the studio fills (issue 16): enrollments by sequence and contact, a contact's events, contact search,
 * deleting unused templates and segments, the calendar by e-mail.
 */
describe('studio API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const get = (path: string) => t.http().get(path).set(t.auth);
  const del = (path: string) => t.http().delete(path).set(t.auth);
  const ok = async (path: string, body: unknown, status = 201) => (await t.post(path, body).expect(status)).body;
  const template = (key: string) =>
    ok('/v1/templates', { key, name: key, variants: [{ locale: 'en', subject: key, html: `<p>${key}</p>` }] });
  const contact = async (email: string, fields: Record<string, unknown> = {}) =>
    (await ok('/v1/contacts', { email, ...fields })).id as string;

  /** Every item of a list, following nextCursor page by page. */
  async function all(path: string, limit: number): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const separator = path.includes('?') ? '&' : '?';
      const page: { body: { items: Array<Record<string, unknown>>; nextCursor: string | null } } = await get(
        `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ).expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('more than 50 pages');
  }

  describe('GET /v1/enrollments', () => {
    const ids: string[] = [];
    let single: Record<string, unknown>;
    let exitedId: string;
    beforeAll(async () => {
      await template('list-a');
      for (const key of ['list-one', 'list-two']) {
        await ok('/v1/sequences', {
          key,
          name: key,
          steps: [
            { key: 'first', dayOffset: 0, template: 'list-a' },
            { key: 'second', dayOffset: 3, template: 'list-a' },
          ],
        });
        await ok(`/v1/sequences/${key}/activate`, {}, 200);
      }
      for (let i = 0; i < 5; i++) ids.push(await contact(`lister${i}@list.test`));
      // One set-based enrollment: five rows with the same created_at, told apart by id alone.
      await ok('/v1/segments', {
        key: 'listers',
        name: 'listers',
        rule: { all: [{ field: 'email', op: 'contains', value: '@list.test' }] },
      });
      await ok('/v1/sequences/list-one/enrollments', { segment: 'listers' }, 200);
      single = await ok('/v1/sequences/list-two/enrollments', { contactId: ids[0] });
      const second = await ok('/v1/sequences/list-two/enrollments', { contactId: ids[1] });
      exitedId = second.id;
      await ok(`/v1/enrollments/${exitedId}/exit`, {}, 200);
    });

    it("pages through a sequence's enrollments newest first, each once, rows of one instant told apart by id", async () => {
      const items = await all('/v1/enrollments?sequence=list-one', 2);
      expect(items).toHaveLength(5);
      expect(new Set(items.map((item) => item.contactId))).toEqual(new Set(ids));
      expect(new Set(items.map((item) => item.id)).size).toBe(5);
      expect(items.every((item) => item.sequence === 'list-one' && item.status === 'active')).toBe(true);
    });

    it('shows each enrollment as POST /v1/sequences/:key/enrollments answered it', async () => {
      const page: { body: { items: Array<Record<string, unknown>>; nextCursor: string | null } } = await get(
        `/v1/enrollments?sequence=list-two&contactId=${ids[0]}`,
      ).expect(200);
      expect(page.body).toEqual({ items: [single], nextCursor: null });
    });

    it("lists a contact's enrollments across sequences, newest first, and filters by status", async () => {
      const mine = await get(`/v1/enrollments?contactId=${ids[1]}`).expect(200);
      expect(mine.body.items.map((item: { sequence: string }) => item.sequence)).toEqual(['list-two', 'list-one']);
      const exited = await get('/v1/enrollments?status=exited').expect(200);
      expect(exited.body.items.map((item: { id: string }) => item.id)).toEqual([exitedId]);
      expect(exited.body.items[0]).toMatchObject({ status: 'exited', exitReason: 'manual' });
    });

    it('keeps rows a microsecond apart on their pages: the cursor carries the database time exactly', async () => {
      const rows = await t.pool.query<{ id: string }>(
        `SELECT e.id FROM enrollments e JOIN sequences s ON s.id = e.sequence_id WHERE s.key = 'list-one' ORDER BY e.id`,
      );
      // Five times within one millisecond, newest first by position: a millisecond cursor skips rows after it.
      for (const [index, row] of rows.rows.entries()) {
        await t.pool.query(`UPDATE enrollments SET created_at = $2 WHERE id = $1`, [
          row.id,
          `2026-11-20T10:00:00.000${5 - index}01Z`,
        ]);
      }
      const items = await all('/v1/enrollments?sequence=list-one', 1);
      expect(items.map((item) => item.id)).toEqual(rows.rows.map((row) => row.id));
    });

    it('answers 404 for an unknown sequence or contact, 400 for a bad filter, limit or cursor', async () => {
      const unknown = await get('/v1/enrollments?sequence=nope').expect(404);
      expect(unknown.body).toMatchObject({ code: 'sequence.not_found', message: 'sequence nope not found' });
      const nobody = await get('/v1/enrollments?contactId=00000000-0000-4000-8000-000000000000').expect(404);
      expect(nobody.body.code).toBe('contact.not_found');
      const bad = await get('/v1/enrollments?status=sleeping&contactId=42&limit=501').expect(400);
      expect(bad.body.message).toEqual(
        expect.arrayContaining([
          expect.stringContaining('status must be one of'),
          'contactId must be a UUID',
          'limit must not be greater than 500',
        ]),
      );
      const cursor = await get('/v1/enrollments?cursor=abc').expect(400);
      expect(cursor.body.message).toEqual(['cursor is not a valid cursor']);
    });
  });

  describe('GET /v1/events?contactId=', () => {
    it("lists a contact's events newest first with name, time, properties and idempotency key", async () => {
      const email = 'eventful@events.test';
      const times = ['2026-11-20T08:00:00Z', '2026-11-22T08:00:00Z', '2026-11-21T08:00:00Z'];
      for (const [index, occurredAt] of times.entries()) {
        await ok(
          '/v1/events',
          {
            email,
            name: `visit_${index}`,
            occurredAt,
            properties: { page: index },
            ...(index === 1 ? { idempotencyKey: 'form-1' } : {}),
          },
          202,
        );
      }
      await ok('/v1/events', { email: 'other@events.test', name: 'visit_x' }, 202);
      const id = (await get(`/v1/contacts?email=${email}`).expect(200)).body.items[0].id;
      const items = await all(`/v1/events?contactId=${id}`, 2);
      expect(items.map((item) => [item.name, item.occurredAt, item.properties, item.idempotencyKey])).toEqual([
        ['visit_1', '2026-11-22T08:00:00.000Z', { page: 1 }, 'form-1'],
        ['visit_2', '2026-11-21T08:00:00.000Z', { page: 2 }, null],
        ['visit_0', '2026-11-20T08:00:00.000Z', { page: 0 }, null],
      ]);
      expect(items[0]).toEqual(expect.objectContaining({ id: expect.any(String), receivedAt: expect.any(String) }));
    });

    it('answers 400 without a contactId and 404 for an unknown contact', async () => {
      const missing = await get('/v1/events').expect(400);
      expect(missing.body.message).toContain('contactId must be a UUID');
      const unknown = await get('/v1/events?contactId=00000000-0000-4000-8000-000000000000').expect(404);
      expect(unknown.body.code).toBe('contact.not_found');
    });
  });

  describe('GET /v1/contacts?q=', () => {
    beforeAll(async () => {
      await contact('ion@search.test', { firstName: 'Ion', lastName: 'Popescu' });
      await contact('maria.p@search.test', { firstName: 'Maria', lastName: 'POPESCU' });
      await contact('elena@popescu-family.example', { firstName: 'Elena', lastName: 'Rusu' });
      await contact('olga@search.test', { firstName: 'Ольга', lastName: 'Смирнова' });
      await contact('under_score@search.test', { firstName: 'Vasile' });
      await ok('/v1/segments', {
        key: 'search-test',
        name: 'search.test',
        rule: { all: [{ field: 'email', op: 'contains', value: '@search.test' }] },
      });
    });
    const emails = async (query: string) =>
      (await all(`/v1/contacts?${query}`, 1)).map((item) => item.email as string).sort();

    it('finds a substring of the e-mail, first or last name, or "first last", in any case', async () => {
      expect(await emails('q=popescu')).toEqual([
        'elena@popescu-family.example',
        'ion@search.test',
        'maria.p@search.test',
      ]);
      expect(await emails('q=ION%20pop')).toEqual(['ion@search.test']);
      expect(await emails('q=%D0%A1%D0%BC%D0%B8%D1%80')).toEqual(['olga@search.test']); // Смир
      expect(await emails('q=%D0%BE%D0%BB%D1%8C%D0%B3%D0%B0')).toEqual(['olga@search.test']); // ольга
      expect(await emails('q=RIA.P@')).toEqual(['maria.p@search.test']);
    });

    it('takes % and _ literally, and combines with segment= and email=', async () => {
      expect(await emails('q=_')).toEqual(['under_score@search.test']);
      expect(await emails('q=%25')).toEqual([]);
      expect(await emails('q=popescu&segment=search-test')).toEqual(['ion@search.test', 'maria.p@search.test']);
      expect(await emails('q=popescu&email=ION@search.test')).toEqual(['ion@search.test']);
    });

    it('answers 400 for an empty q', async () => {
      const empty = await get('/v1/contacts?q=').expect(400);
      expect(empty.body.message).toEqual(['q must be longer than or equal to 1 characters']);
    });
  });

  describe('DELETE /v1/templates/:key and /v1/segments/:key', () => {
    beforeAll(async () => {
      for (const key of ['welcome', 'remind', 'remind-b', 'gone', 'spare']) await template(key);
      for (const key of ['audience', 'step-only', 'unused']) {
        await ok('/v1/segments', { key, name: key, rule: { all: [{ field: 'locale', op: 'eq', value: 'ro' }] } });
      }
      await ok('/v1/sequences', {
        key: 'webinar-school',
        name: 'Webinar',
        audienceSegment: 'audience',
        steps: [
          { key: 'welcome', dayOffset: 0, template: 'welcome' },
          {
            key: 'reminder',
            dayOffset: 1,
            variants: [
              { key: 'a', template: 'remind', weight: 1 },
              { key: 'b', template: 'remind-b', weight: 1 },
            ],
          },
          { key: 'old', dayOffset: 2, template: 'gone', segment: 'step-only' },
        ],
      });
      // The step `old` is removed: it stays, with its template, for its delivery history.
      await t
        .http()
        .put('/v1/sequences/webinar-school')
        .set(t.auth)
        .send({
          name: 'Webinar',
          audienceSegment: 'audience',
          steps: [
            { key: 'welcome', dayOffset: 0, template: 'welcome' },
            {
              key: 'reminder',
              dayOffset: 1,
              variants: [
                { key: 'a', template: 'remind', weight: 1 },
                { key: 'b', template: 'remind-b', weight: 1 },
              ],
            },
          ],
        })
        .expect(200);
    });

    it('deletes a template nothing uses (204, then 404)', async () => {
      await del('/v1/templates/spare').expect(204);
      await get('/v1/templates/spare').expect(404);
      const again = await del('/v1/templates/spare').expect(404);
      expect(again.body).toMatchObject({ code: 'template.not_found', message: 'template spare not found' });
    });

    it('refuses (409) a template a step, a variant or a removed step uses, naming each, and keeps it', async () => {
      const used = await del('/v1/templates/welcome').expect(409);
      expect(used.body).toMatchObject({
        code: 'template.in_use',
        message: ['template welcome is used by sequence webinar-school step welcome'],
      });
      const variant = await del('/v1/templates/remind-b').expect(409);
      expect(variant.body.message).toEqual([
        'template remind-b is used by sequence webinar-school step reminder variant b',
      ]);
      const removed = await del('/v1/templates/gone').expect(409);
      expect(removed.body.message).toEqual([
        'template gone is used by sequence webinar-school step old (removed, kept for its delivery history)',
      ]);
      await get('/v1/templates/welcome').expect(200);
    });

    it('deletes a segment nothing uses, refuses one an audience or a step uses (409 naming them), 404 unknown', async () => {
      await del('/v1/segments/unused').expect(204);
      await get('/v1/segments/unused').expect(404);
      const audience = await del('/v1/segments/audience').expect(409);
      expect(audience.body).toMatchObject({
        code: 'segment.in_use',
        message: ['segment audience is the audience of sequence webinar-school'],
      });
      const step = await del('/v1/segments/step-only').expect(409);
      expect(step.body.message).toEqual([
        'segment step-only is used by sequence webinar-school step old (removed, kept for its delivery history)',
      ]);
      const unknown = await del('/v1/segments/nope').expect(404);
      expect(unknown.body).toMatchObject({ code: 'segment.not_found', message: 'segment nope not found' });
    });

    const reminderWith = (variantB: string) => ({
      name: 'Webinar',
      audienceSegment: 'audience',
      steps: [
        { key: 'welcome', dayOffset: 0, template: 'welcome' },
        {
          key: 'reminder',
          dayOffset: 1,
          variants: [
            { key: 'a', template: 'remind', weight: 1 },
            { key: 'b', template: variantB, weight: 1 },
          ],
        },
      ],
    });

    onServer(
      'saves no sequence naming a template deleted meanwhile: the save waits for the delete, then 400',
      async () => {
        await template('raced-api');
        const deleting = await t.pool.connect();
        try {
          // DELETE /v1/templates/raced-api, held between its delete and its commit.
          await deleting.query('BEGIN');
          await deleting.query(`SELECT id FROM templates WHERE key = 'raced-api' FOR UPDATE`);
          await deleting.query(`DELETE FROM templates WHERE key = 'raced-api'`);
          const blocker: number = (await deleting.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
          // The save's checks still see the template (the delete is not committed); its step write must wait.
          const saving = t
            .http()
            .put('/v1/sequences/webinar-school')
            .set(t.auth)
            .send(reminderWith('raced-api'))
            .then();
          const deadline = Date.now() + 120_000;
          for (;;) {
            // The save's own connection, waiting on the delete's lock (no other test's backend can be).
            const waiting = await t.pool.query(
              `SELECT 1 FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid)) AND query LIKE '%sequence_steps%'`,
              [blocker],
            );
            if (waiting.rows.length > 0) break;
            if (Date.now() > deadline) throw new Error('the sequence save never waited for the template');
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await deleting.query('COMMIT');
          const saved = await saving;
          expect(saved.status).toBe(400);
          expect(saved.body.message).toBe('a record it names does not exist (deleted meanwhile?)');
        } finally {
          deleting.release();
        }
        const sequence = await get('/v1/sequences/webinar-school').expect(200);
        expect(JSON.stringify(sequence.body.steps)).not.toContain('raced-api');
        await get('/v1/templates/raced-api').expect(404);
      },
    );

    onServer(
      'lets no step name a template deleted meanwhile: a variant written while the delete holds the row fails',
      async () => {
        await template('raced');
        const id: string = (await t.pool.query(`SELECT id FROM templates WHERE key = 'raced'`)).rows[0].id;
        const deleting = await t.pool.connect();
        const writing = await t.pool.connect();
        try {
          // What DELETE /v1/templates/:key does: lock the row, find no user, delete; not committed yet.
          await deleting.query('BEGIN');
          await deleting.query(`SELECT id FROM templates WHERE id = $1 FOR UPDATE`, [id]);
          await deleting.query(`DELETE FROM templates WHERE id = $1`, [id]);
          // A sequence edit resolved the key before the delete and now writes the step's variants.
          const write = writing
            .query(
              `UPDATE sequence_steps SET variants = jsonb_set(variants, '{1,templateId}', to_jsonb($1::text))
             WHERE key = 'reminder'`,
              [id],
            )
            .then(
              () => undefined,
              (error: { code?: string }) => error.code,
            );
          await deleting.query('COMMIT');
          expect(await write).toBe('23503');
        } finally {
          deleting.release();
          writing.release();
        }
        const variants = await t.pool.query(`SELECT variants FROM sequence_steps WHERE key = 'reminder'`);
        expect(JSON.stringify(variants.rows[0].variants)).not.toContain(id);
      },
    );
  });

  describe('GET /v1/sequences/:key/calendar?email=', () => {
    let contactId: string;
    beforeAll(async () => {
      await template('cal');
      await ok('/v1/sequences', {
        key: 'cal-seq',
        name: 'cal',
        steps: [{ key: 'only', dayOffset: 2, at: '10:00', template: 'cal' }],
      });
      await ok('/v1/sequences/cal-seq/activate', {}, 200);
      contactId = await contact('Cal.Endar@example.md', { timezone: 'Europe/Chisinau' });
      await ok('/v1/sequences/cal-seq/enrollments', { contactId });
    });

    it('answers by e-mail (any case) exactly as by contactId', async () => {
      const byId = await get(`/v1/sequences/cal-seq/calendar?contactId=${contactId}`).expect(200);
      const byEmail = await get('/v1/sequences/cal-seq/calendar?email=cal.endar@EXAMPLE.md').expect(200);
      expect(byEmail.body).toEqual(byId.body);
      expect(byEmail.body.contactId).toBe(contactId);
    });

    it('answers 400 unless exactly one of contactId and email is given, 404 for an unknown e-mail', async () => {
      const both = await get(`/v1/sequences/cal-seq/calendar?contactId=${contactId}&email=cal.endar@example.md`).expect(
        400,
      );
      expect(both.body.message).toEqual(['give exactly one of contactId or email']);
      const neither = await get('/v1/sequences/cal-seq/calendar').expect(400);
      expect(neither.body.message).toEqual(['give exactly one of contactId or email']);
      const unknown = await get('/v1/sequences/cal-seq/calendar?email=nobody@example.md').expect(404);
      expect(unknown.body).toMatchObject({
        code: 'contact.not_found',
        message: 'no contact with email nobody@example.md',
      });
    });
  });

  it('describes the new endpoints in the OpenAPI document the studio is typed from', async () => {
    const spec = (await t.http().get('/docs/openapi.json').expect(200)).body;
    const parameters = (path: string) =>
      (spec.paths[path].get.parameters as Array<{ name: string }>).map((parameter) => parameter.name);
    expect(parameters('/v1/enrollments')).toEqual(
      expect.arrayContaining(['sequence', 'contactId', 'status', 'cursor']),
    );
    expect(parameters('/v1/events')).toEqual(expect.arrayContaining(['contactId', 'limit', 'cursor']));
    expect(parameters('/v1/contacts')).toEqual(expect.arrayContaining(['q', 'email', 'segment']));
    expect(parameters('/v1/sequences/{key}/calendar')).toEqual(expect.arrayContaining(['contactId', 'email']));
    expect(spec.paths['/v1/templates/{key}'].delete.responses).toHaveProperty('409');
    expect(spec.paths['/v1/segments/{key}'].delete.responses).toHaveProperty('204');
    expect(spec.components.schemas.EnrollmentPageDto.properties.items.items.$ref).toContain('EnrollmentDto');
    expect(spec.components.schemas.EventPageDto.properties.items.items.$ref).toContain('StoredEventDto');
  });
});
