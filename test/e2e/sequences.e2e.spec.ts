import { startTestApp, type TestApp } from '../support/test-app.js';

describe('sequences, enrollments and events API', () => {
  let t: TestApp;
  const post = (path: string, body: unknown) =>
    t
      .http()
      .post(path)
      .set(t.auth)
      .send(body as object);

  const sequence = (key: string, extra: Record<string, unknown> = {}) => ({
    key,
    name: `Sequence ${key}`,
    triggerEvent: 'webinar_signup',
    conversionEvent: 'course_purchased',
    sendWindow: { from: '09:00', to: '20:00', days: [1, 2, 3, 4, 5, 6] },
    steps: [
      { key: 'welcome', dayOffset: 0, template: 'tpl' },
      { key: 'reminder', dayOffset: 1, at: '10:00', template: 'tpl' },
      { key: 'discount', dayOffset: 7, template: 'tpl', segment: 'price-sensitive' },
      { key: 'feedback', dayOffset: 21, template: 'tpl', maxLatenessHours: 72 },
    ],
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp();
    await post('/v1/templates', {
      key: 'tpl',
      name: 'T',
      variants: [{ locale: 'en', subject: 'Hi', html: '<p>Hi</p>' }],
    }).expect(201);
    await post('/v1/segments', {
      key: 'price-sensitive',
      name: 'P',
      rule: { all: [{ field: 'attributes.price', op: 'eq', value: 'sensitive' }] },
    }).expect(201);
    await post('/v1/segments', {
      key: 'ro-speakers',
      name: 'RO',
      rule: { all: [{ field: 'locale', op: 'eq', value: 'ro' }] },
    }).expect(201);
  });
  afterAll(() => t.close());

  const count = async (sql: string, params: unknown[] = []) => (await t.pool.query(sql, params)).rows[0].n as number;

  it('creates a draft sequence, reads and lists it', async () => {
    const created = await post('/v1/sequences', sequence('school')).expect(201);
    expect(created.body).toMatchObject({ key: 'school', status: 'draft', version: 1 });
    expect(created.body.steps.map((s: { key: string }) => s.key)).toEqual([
      'welcome',
      'reminder',
      'discount',
      'feedback',
    ]);
    expect(created.body.steps[3]).toMatchObject({ maxLatenessHours: 72 });
    expect(created.body.steps[0]).toMatchObject({ maxLatenessHours: 48 });
    await post('/v1/sequences', sequence('school'))
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('sequence.key_taken'));
    await t.http().get('/v1/sequences/school').set(t.auth).expect(200);
    const list = await t.http().get('/v1/sequences').set(t.auth).expect(200);
    expect(list.body.items.map((s: { key: string }) => s.key)).toContain('school');
    await t
      .http()
      .get('/v1/sequences/nope')
      .set(t.auth)
      .expect(404)
      .expect((r) => expect(r.body.code).toBe('sequence.not_found'));
  });

  it('refuses unknown templates and segments, unordered steps and bad fields with 400, writing nothing', async () => {
    const before = await count(`SELECT count(*)::int n FROM sequences`);
    const bad = await post(
      '/v1/sequences',
      sequence('bad', {
        audienceSegment: 'nobody',
        steps: [
          { key: 'a', dayOffset: 7, template: 'missing' },
          { key: 'b', dayOffset: 1, template: 'tpl', segment: 'nowhere' },
          { key: 'a', dayOffset: 9, template: 'tpl' },
        ],
      }),
    ).expect(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        'steps.2.key a repeats steps.0.key',
        'steps must be ordered by dayOffset: steps.1.dayOffset (1) is before steps.0.dayOffset (7)',
        'steps.0.template: unknown template "missing"',
        'steps.1.segment: unknown segment "nowhere"',
        'audienceSegment: unknown segment "nobody"',
      ]),
    );
    const fields = await post('/v1/sequences', {
      key: 'bad2',
      name: 'x',
      sendWindow: { from: '25:00', to: '20:00', days: [8] },
      steps: [{ key: 'a', dayOffset: -1, template: 'tpl', at: '7pm' }],
    }).expect(400);
    expect(fields.body.message).toEqual(
      expect.arrayContaining([
        'sendWindow.from must be a time HH:mm',
        'each value in sendWindow.days must not be greater than 7',
        'steps.0.dayOffset must not be less than 0',
        'steps.0.at must be a time HH:mm',
      ]),
    );
    await post('/v1/sequences', { ...sequence('bad3'), steps: [] }).expect(400);
    // Arrays where objects belong (found by the property tests: they reached the service as 500s).
    const arrays = await post('/v1/sequences', { ...sequence('bad4'), steps: [[]], sendWindow: [] }).expect(400);
    expect(arrays.body.message).toEqual(
      expect.arrayContaining(['each value in steps must be an object', 'sendWindow must be an object']),
    );
    expect(await count(`SELECT count(*)::int n FROM sequences`)).toBe(before);
  });

  it('moves through the lifecycle and refuses illegal transitions with 409', async () => {
    await post('/v1/sequences', sequence('life')).expect(201);
    await post('/v1/sequences/life/pause', {}).expect(409);
    await post('/v1/sequences/life/activate', {})
      .expect(200)
      .expect((r) => expect(r.body.status).toBe('active'));
    await post('/v1/sequences/life/activate', {}).expect(409);
    await post('/v1/sequences/life/pause', {})
      .expect(200)
      .expect((r) => expect(r.body.status).toBe('paused'));
    await post('/v1/sequences/life/activate', {}).expect(200);
    await post('/v1/sequences/life/archive', {})
      .expect(200)
      .expect((r) => expect(r.body.status).toBe('archived'));
    const refused = await post('/v1/sequences/life/activate', {}).expect(409);
    expect(refused.body.message).toBe('cannot activate sequence life: it is archived');
    expect(refused.body.code).toBe('sequence.illegal_state_change');
    await t
      .http()
      .put('/v1/sequences/life')
      .set(t.auth)
      .send({ name: 'x', steps: sequence('life').steps })
      .expect(409);
    await post('/v1/sequences/nope/activate', {}).expect(404);
  });

  it('enrolls one contact (201), refuses a second active enrollment (409), exits by hand', async () => {
    await post('/v1/sequences/school/activate', {}).expect(200);
    const contact = await post('/v1/contacts', {
      email: 'olga@example.ru',
      locale: 'ru',
      timezone: 'Europe/Moscow',
    }).expect(201);
    const enrolled = await post('/v1/sequences/school/enrollments', {
      contactId: contact.body.id,
      startAt: '2026-11-24T07:00:00Z',
    }).expect(201);
    expect(enrolled.body).toMatchObject({
      contactId: contact.body.id,
      sequence: 'school',
      status: 'active',
      nextStep: 'welcome',
      nextDueAt: '2026-11-24T07:00:00.000Z',
    });
    await post('/v1/sequences/school/enrollments', { email: 'OLGA@example.ru' })
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('enrollment.already_active'));
    await post('/v1/sequences/school/enrollments', { email: 'nobody@example.ru' })
      .expect(404)
      .expect((r) => expect(r.body.code).toBe('contact.not_found'));
    await post('/v1/sequences/school/enrollments', { contactId: contact.body.id, email: 'olga@example.ru' }).expect(
      400,
    );

    const calendar = await t
      .http()
      .get(`/v1/sequences/school/calendar?contactId=${contact.body.id}`)
      .set(t.auth)
      .expect(200);
    expect(calendar.body).toMatchObject({ contactId: contact.body.id, sequence: 'school', timezone: 'Europe/Moscow' });
    expect(calendar.body.steps).toEqual([
      { key: 'welcome', dayOffset: 0, plannedAt: '2026-11-24T07:00:00.000Z', status: 'planned' }, // Tue 10:00 MSK
      { key: 'reminder', dayOffset: 1, plannedAt: '2026-11-25T07:00:00.000Z', status: 'planned' }, // Wed 10:00 MSK
      { key: 'discount', dayOffset: 7, plannedAt: '2026-12-01T07:00:00.000Z', status: 'planned' },
      { key: 'feedback', dayOffset: 21, plannedAt: '2026-12-15T07:00:00.000Z', status: 'planned' },
    ]);

    await post(`/v1/enrollments/${enrolled.body.id}/exit`, {})
      .expect(200)
      .expect((r) => expect(r.body).toMatchObject({ status: 'exited', exitReason: 'manual' }));
    await post(`/v1/enrollments/${enrolled.body.id}/exit`, {})
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('enrollment.not_active'));
    await post('/v1/enrollments/6f1c1b7e-1111-4111-8111-111111111111/exit', {}).expect(404);
    const after = await t
      .http()
      .get(`/v1/sequences/school/calendar?contactId=${contact.body.id}`)
      .set(t.auth)
      .expect(200);
    expect(after.body.steps[0]).toMatchObject({ status: 'skipped', reason: 'manual' });
    // A finished enrollment does not block a new one.
    await post('/v1/sequences/school/enrollments', { contactId: contact.body.id }).expect(201);
  });

  it('never enrolls unsubscribed contacts, nor into draft sequences', async () => {
    const contact = await post('/v1/contacts', { email: 'gone@example.com' }).expect(201);
    await t.pool.query(`UPDATE contacts SET status = 'unsubscribed' WHERE id = $1`, [contact.body.id]);
    await post('/v1/sequences/school/enrollments', { contactId: contact.body.id }).expect(409);
    await post('/v1/sequences', sequence('drafty')).expect(201);
    await post('/v1/sequences/drafty/enrollments', { email: 'olga@example.ru' }).expect(409);
  });

  it('enrolls a whole segment set-based and idempotently', async () => {
    await post('/v1/contacts/import', [
      { email: 'ro1@example.md', locale: 'ro' },
      { email: 'ro2@example.md', locale: 'ro' },
      { email: 'ro3@example.md', locale: 'ro', timezone: 'Europe/Chisinau' },
    ]).expect(200);
    await t.pool.query(`UPDATE contacts SET status = 'bounced' WHERE email = 'ro3@example.md'`);
    const first = await post('/v1/sequences/school/enrollments', {
      segment: 'ro-speakers',
      startAt: '2026-11-24T08:00:00Z',
    }).expect(200);
    expect(first.body).toEqual({ enrolled: 2, alreadyEnrolled: 0, ineligible: 1 }); // ro3 bounced
    await post('/v1/contacts', { email: 'ro4@example.md', locale: 'ro' }).expect(201);
    const second = await post('/v1/sequences/school/enrollments', { segment: 'ro-speakers' }).expect(200);
    expect(second.body).toEqual({ enrolled: 1, alreadyEnrolled: 2, ineligible: 1 });
    await post('/v1/sequences/school/enrollments', { segment: 'nope' })
      .expect(404)
      .expect((r) => expect(r.body.code).toBe('segment.not_found'));
  });

  it('applies events: trigger enrolls (day 0 = occurredAt, audience respected), conversion ends and is logged, idempotency', async () => {
    await post(
      '/v1/sequences',
      sequence('ro-only', {
        triggerEvent: 'demo_signup',
        conversionEvent: 'demo_paid',
        audienceSegment: 'ro-speakers',
      }),
    ).expect(201);
    await post('/v1/sequences/ro-only/activate', {}).expect(200);

    const signup = await post('/v1/events', {
      email: 'new-student@example.md',
      name: 'demo_signup',
      occurredAt: '2026-11-20T12:00:00+02:00',
      idempotencyKey: 'form-1',
      contact: { firstName: 'Ion', locale: 'ro', timezone: 'Europe/Chisinau' },
    }).expect(202);
    expect(signup.body).toMatchObject({ duplicate: false, enrolled: ['ro-only'], converted: [] });
    const enrollment = (
      await t.pool.query(`SELECT start_at, next_due_at FROM enrollments WHERE contact_id = $1`, [signup.body.contactId])
    ).rows[0];
    expect(enrollment.start_at.toISOString()).toBe('2026-11-20T10:00:00.000Z');

    const again = await post('/v1/events', {
      email: 'new-student@example.md',
      name: 'demo_signup',
      idempotencyKey: 'form-1',
    }).expect(202);
    expect(again.body).toMatchObject({ duplicate: true, eventId: signup.body.eventId, enrolled: [] });
    expect(await count(`SELECT count(*)::int n FROM events WHERE contact_id = $1`, [signup.body.contactId])).toBe(1);

    const outsider = await post('/v1/events', {
      email: 'en-speaker@example.com',
      name: 'demo_signup',
      contact: { locale: 'en' },
    }).expect(202);
    expect(outsider.body.enrolled).toEqual([]);

    const paid = await post('/v1/events', {
      contactId: signup.body.contactId,
      name: 'demo_paid',
      occurredAt: '2026-11-23T09:00:00Z',
    }).expect(202);
    expect(paid.body.converted).toEqual(['ro-only']);
    const conversion = (
      await t.pool.query(`SELECT event_name, attributed_step_id, occurred_at FROM conversions WHERE contact_id = $1`, [
        signup.body.contactId,
      ])
    ).rows;
    expect(conversion).toEqual([
      { event_name: 'demo_paid', attributed_step_id: null, occurred_at: new Date('2026-11-23T09:00:00Z') },
    ]);
    const status = (await t.pool.query(`SELECT status FROM enrollments WHERE contact_id = $1`, [signup.body.contactId]))
      .rows[0].status;
    expect(status).toBe('converted');
  });

  it('refuses bad events with 400 naming the fields, and unknown contacts with 404', async () => {
    const before = await count(`SELECT count(*)::int n FROM events`);
    const bad = await post('/v1/events', {
      email: 'nope',
      name: 'has spaces',
      occurredAt: '2026-11-20 12:00',
      properties: 'x',
    }).expect(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        'email must be an email address',
        expect.stringMatching(/^name must be an event name/),
        'occurredAt must be an ISO 8601 time with an offset, such as 2026-11-24T10:00:00Z',
        expect.stringMatching(/^properties must be a JSON object/),
      ]),
    );
    await post('/v1/events', { name: 'x' }).expect(400);
    await post('/v1/events', { contactId: '6f1c1b7e-1111-4111-8111-111111111111', name: 'x' }).expect(404);
    expect(await count(`SELECT count(*)::int n FROM events`)).toBe(before);
  });

  it('edits an active sequence by step key: running enrollments continue without repeating a sent step', async () => {
    await post('/v1/sequences', sequence('edit')).expect(201);
    await post('/v1/sequences/edit/activate', {}).expect(200);
    const contact = await post('/v1/contacts', { email: 'edit@example.com', timezone: 'UTC' }).expect(201);
    const enrolled = await post('/v1/sequences/edit/enrollments', {
      contactId: contact.body.id,
      startAt: '2026-11-24T10:00:00Z',
    }).expect(201);
    // Pretend the engine sent "welcome" and moved on to "reminder".
    const steps = (
      await t.pool.query(
        `SELECT st.id, st.key FROM sequence_steps st JOIN sequences s ON s.id = st.sequence_id WHERE s.key = 'edit'`,
      )
    ).rows;
    const stepId = (key: string) => steps.find((s) => s.key === key)!.id;
    const seq = (await t.pool.query(`SELECT id FROM sequences WHERE key = 'edit'`)).rows[0].id;
    await t.pool.query(
      `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, sent_at) VALUES ($1, $2, $3, $4, 'sent', now())`,
      [contact.body.id, enrolled.body.id, seq, stepId('welcome')],
    );
    await t.pool.query(`UPDATE enrollments SET next_step_id = $2 WHERE id = $1`, [
      enrolled.body.id,
      stepId('reminder'),
    ]);

    const edited = await t
      .http()
      .put('/v1/sequences/edit')
      .set(t.auth)
      .send({
        name: 'Edited',
        steps: [
          { key: 'welcome', dayOffset: 0, template: 'tpl' },
          { key: 'tips', dayOffset: 2, at: '09:30', template: 'tpl' },
          { key: 'feedback', dayOffset: 21, template: 'tpl' },
        ],
      })
      .expect(200);
    expect(edited.body.version).toBe(2);
    const enrollment = (
      await t.pool.query(
        `SELECT st.key, e.next_due_at FROM enrollments e JOIN sequence_steps st ON st.id = e.next_step_id WHERE e.id = $1`,
        [enrolled.body.id],
      )
    ).rows[0];
    expect(enrollment).toEqual({ key: 'tips', next_due_at: new Date('2026-11-26T09:30:00Z') });
    const removed = (
      await t.pool.query(
        `SELECT key FROM sequence_steps WHERE sequence_id = $1 AND removed_at IS NOT NULL ORDER BY key`,
        [seq],
      )
    ).rows;
    expect(removed.map((r) => r.key)).toEqual(['discount', 'reminder']);
  });
});
