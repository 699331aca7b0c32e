import { DataSource } from 'typeorm';
import { ContactRepository } from '../../src/contacts/contact.repository.js';
import { EnrollmentRepository } from '../../src/enrollments/enrollment.repository.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Writes to tables that grow with contacts take their time from the app's clock, never the database's now(), and
 * read other contact-keyed tables before they write rather than in a correlated subquery (issue 13, item 6: the
 * forms a database distributed by contact_id runs shard by shard). The clock here is years from the database's.
 */
describe('writes take the app’s clock and keep their results', () => {
  let t: TestApp;
  const clockTime = new Date('2031-03-04T05:06:07.000Z');
  const get = <T>(type: abstract new (...args: never[]) => T): T => t.app.get(type, { strict: false });

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(clockTime);
    await t
      .post('/v1/templates', { key: 'tpl', name: 'T', variants: [{ locale: 'en', subject: 'Hi', html: '<p>Hi</p>' }] })
      .expect(201);
  });
  afterAll(() => t.close());

  const steps = (...keys: string[]) => keys.map((key, i) => ({ key, dayOffset: i, template: 'tpl' }));

  it('a sequence edit re-plans each running enrollment to its first unfinished step, or completes it at the clock', async () => {
    await t.post('/v1/sequences', { key: 'replan', name: 'R', steps: steps('welcome', 'tips', 'offer') }).expect(201);
    await t.post('/v1/sequences/replan/activate', {}).expect(200);
    const ids = (await t.pool.query(`SELECT id, key FROM sequence_steps`)).rows as Array<{ id: string; key: string }>;
    const step = (key: string) => ids.find((row) => row.key === key)!.id;
    const sequenceId = (await t.pool.query(`SELECT id FROM sequences WHERE key = 'replan'`)).rows[0].id;
    const enroll = async (email: string) => {
      const contact = await t.post('/v1/contacts', { email, timezone: 'UTC' }).expect(201);
      const enrolled = await t
        .post('/v1/sequences/replan/enrollments', { contactId: contact.body.id, startAt: '2026-11-24T10:00:00Z' })
        .expect(201);
      return { contactId: contact.body.id as string, enrollmentId: enrolled.body.id as string };
    };
    const sent = (who: { contactId: string; enrollmentId: string }, key: string, status = 'sent') =>
      t.pool.query(
        `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, reason, sent_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'sent' THEN NULL ELSE 'test' END, now())`,
        [who.contactId, who.enrollmentId, sequenceId, step(key), status],
      );
    const done = await enroll('done@example.com');
    await sent(done, 'welcome');
    await sent(done, 'offer', 'skipped');
    const halfway = await enroll('halfway@example.com');
    await sent(halfway, 'welcome');
    await sent(halfway, 'tips', 'deferred'); // not finished: planned again
    const fresh = await enroll('fresh@example.com');

    // tips goes; offer is finished for `done` and not for the others.
    await t
      .http()
      .put('/v1/sequences/replan')
      .set(t.auth)
      .send({ name: 'R', steps: steps('welcome', 'offer') })
      .expect(200);
    const rows = await t.pool.query(
      `SELECT e.id, e.status, st.key AS next, e.next_due_at, e.ended_at, e.updated_at
       FROM enrollments e LEFT JOIN sequence_steps st ON st.id = e.next_step_id WHERE e.sequence_id = $1`,
      [sequenceId],
    );
    const byId = Object.fromEntries(rows.rows.map(({ id, ...row }) => [id, row]));
    expect(byId[done.enrollmentId]).toMatchObject({
      status: 'completed',
      next_due_at: null,
      ended_at: clockTime,
      updated_at: clockTime,
    });
    expect(byId[halfway.enrollmentId]).toEqual({
      status: 'active',
      next: 'offer',
      next_due_at: new Date('2026-11-25T10:00:00Z'),
      ended_at: null,
      updated_at: clockTime,
    });
    expect(byId[fresh.enrollmentId]).toMatchObject({ status: 'active', next: 'welcome', ended_at: null });
  });

  it('a conversion is attributed to the last step sent before it and logged at the clock', async () => {
    await t
      .post('/v1/sequences', { key: 'convert', name: 'C', conversionEvent: 'bought', steps: steps('a', 'b', 'c') })
      .expect(201);
    await t.post('/v1/sequences/convert/activate', {}).expect(200);
    const contact = await t.post('/v1/contacts', { email: 'buyer@example.com' }).expect(201);
    const enrolled = await t
      .post('/v1/sequences/convert/enrollments', { contactId: contact.body.id, startAt: '2026-11-24T10:00:00Z' })
      .expect(201);
    const sequence = (await t.pool.query(`SELECT id FROM sequences WHERE key = 'convert'`)).rows[0].id;
    for (const [key, sentAt] of [
      ['a', '2026-11-24T10:00:00Z'],
      ['b', '2026-11-25T10:00:00Z'],
      ['c', '2026-11-27T10:00:00Z'], // after the purchase
    ]) {
      await t.pool.query(
        `INSERT INTO deliveries (contact_id, enrollment_id, sequence_id, step_id, status, sent_at)
         SELECT $1, $2, $3, id, 'sent', $5 FROM sequence_steps WHERE sequence_id = $3 AND key = $4`,
        [contact.body.id, enrolled.body.id, sequence, key, sentAt],
      );
    }
    const occurredAt = new Date('2026-11-26T10:00:00Z');
    const event = await t.pool.query(
      `INSERT INTO events (contact_id, name, occurred_at) VALUES ($1, 'bought', $2) RETURNING id`,
      [contact.body.id, occurredAt],
    );
    await get(DataSource).transaction((manager) =>
      get(EnrollmentRepository).convert(
        manager,
        contact.body.id,
        { id: event.rows[0].id, name: 'bought', occurredAt },
        t.clock.now(),
      ),
    );
    const logged = await t.pool.query(
      `SELECT st.key AS step, v.occurred_at, v.created_at FROM conversions v
       LEFT JOIN sequence_steps st ON st.id = v.attributed_step_id WHERE v.enrollment_id = $1`,
      [enrolled.body.id],
    );
    expect(logged.rows).toEqual([{ step: 'b', occurred_at: occurredAt, created_at: clockTime }]);
  });

  it('contact upserts, edits and erasure stamp the clock’s time, the suppression list too', async () => {
    const contacts = get(ContactRepository);
    const { row } = await contacts.upsertOne({ email: 'stamp@example.com' });
    await t.pool.query(`UPDATE contacts SET updated_at = '2020-01-01T00:00:00Z' WHERE id = $1`, [row.id]);
    expect((await contacts.upsertOne({ email: 'stamp@example.com', first_name: 'Ana' })).row.updated_at).toEqual(
      clockTime,
    );

    // Unsubscribed, then erased: the address is suppressed; a contact moving onto it takes the status at the clock.
    await t.pool.query(`UPDATE contacts SET status = 'unsubscribed' WHERE id = $1`, [row.id]);
    await get(DataSource).transaction((manager) => contacts.erase(manager, row.id));
    const suppressed = await t.pool.query(`SELECT created_at, updated_at FROM suppressions`);
    expect(suppressed.rows).toEqual([{ created_at: clockTime, updated_at: clockTime }]);

    const { row: other } = await contacts.upsertOne({ email: 'other@example.com' });
    const moved = await contacts.update(other.id, { email: 'stamp@example.com' });
    expect(moved).toMatchObject({ status: 'unsubscribed', updated_at: clockTime });
    const changed = await t.pool.query(`SELECT status_changed_at FROM contacts WHERE id = $1`, [other.id]);
    expect(changed.rows).toEqual([{ status_changed_at: clockTime }]);
  });
});
