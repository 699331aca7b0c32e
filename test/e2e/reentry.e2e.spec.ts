import { isHeldOut } from '../../src/enrollments/holdout.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Re-entry (API.md v1.1): `never`, `after-completion` (the default), `always` and `reentryCooldownDays`, through
 * every door (events, a single enrollment, a segment enrollment), with the reason each reply gives; and the holdout
 * flag every enrollment gets at insert.
 */
describe('re-entry rules and the reasons an enrollment is refused', () => {
  let t: TestApp;
  const T0 = new Date('2026-11-24T10:00:00Z');
  const DAY = 24 * 3_600_000;

  const sequence = async (key: string, extra: Record<string, unknown> = {}) => {
    await t
      .post('/v1/sequences', {
        key,
        name: `Sequence ${key}`,
        triggerEvent: `${key}_signup`,
        conversionEvent: `${key}_bought`,
        steps: [
          { key: 'welcome', dayOffset: 0, template: 'tpl' },
          { key: 'later', dayOffset: 30, template: 'tpl' },
        ],
        ...extra,
      })
      .expect(201);
    await t.post(`/v1/sequences/${key}/activate`, {}).expect(200);
  };
  const event = async (email: string, name: string, extra: Record<string, unknown> = {}) =>
    (await t.post('/v1/events', { email, name, ...extra }).expect(202)).body as {
      contactId: string;
      enrolled: string[];
      converted: string[];
      notEnrolled: Array<{ sequence: string; reason: string }>;
    };
  const enrollments = async (email: string, key: string) =>
    (
      await t.pool.query(
        `SELECT e.id, e.status, e.holdout, e.once, e.trigger_event_id FROM enrollments e
         JOIN contacts c ON c.id = e.contact_id JOIN sequences s ON s.id = e.sequence_id
         WHERE c.email = $1 AND s.key = $2 ORDER BY e.created_at`,
        [email, key],
      )
    ).rows as Array<{ id: string; status: string; holdout: boolean; once: boolean; trigger_event_id: string | null }>;
  const exit = async (email: string, key: string) => {
    const running = (await enrollments(email, key)).find((row) => row.status === 'active')!;
    await t.post(`/v1/enrollments/${running.id}/exit`, {}).expect(200);
  };

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(T0);
    await t
      .post('/v1/templates', { key: 'tpl', name: 'T', variants: [{ locale: 'en', subject: 'Hi', html: '<p>Hi</p>' }] })
      .expect(201);
    await t
      .post('/v1/segments', {
        key: 'vip',
        name: 'VIP',
        rule: { all: [{ field: 'attributes.vip', op: 'eq', value: true }] },
      })
      .expect(201);
  });
  afterAll(() => t.close());

  it('after-completion (the default): a contact who converted is not enrolled again; one who exited is', async () => {
    await sequence('after');
    expect((await t.http().get('/v1/sequences/after').set(t.auth).expect(200)).body.reentry).toBe('after-completion');

    const first = await event('ana@reentry.test', 'after_signup');
    expect(first).toMatchObject({ enrolled: ['after'], notEnrolled: [] });
    expect((await event('ana@reentry.test', 'after_bought')).converted).toEqual(['after']);
    const again = await event('ana@reentry.test', 'after_signup');
    expect(again).toMatchObject({ enrolled: [], notEnrolled: [{ sequence: 'after', reason: 'reentry' }] });
    const refused = await t.post('/v1/sequences/after/enrollments', { email: 'ana@reentry.test' }).expect(409);
    expect(refused.body.code).toBe('enrollment.reentry_refused');
    expect(refused.body.message).toContain('after-completion');
    expect((await enrollments('ana@reentry.test', 'after')).map((row) => row.status)).toEqual(['converted']);

    await event('bob@reentry.test', 'after_signup');
    await exit('bob@reentry.test', 'after');
    expect(await event('bob@reentry.test', 'after_signup')).toMatchObject({ enrolled: ['after'], notEnrolled: [] });
  });

  it('always: a contact who converted is enrolled again', async () => {
    await sequence('again', { reentry: 'always' });
    await event('ana@reentry.test', 'again_signup');
    expect((await event('ana@reentry.test', 'again_bought')).converted).toEqual(['again']);
    expect(await event('ana@reentry.test', 'again_signup')).toMatchObject({ enrolled: ['again'], notEnrolled: [] });
    // …and, while that enrollment runs, a further event is refused as already active.
    expect(await event('ana@reentry.test', 'again_signup')).toMatchObject({
      enrolled: [],
      notEnrolled: [{ sequence: 'again', reason: 'already-active' }],
    });
    expect((await enrollments('ana@reentry.test', 'again')).map((row) => row.status)).toEqual(['converted', 'active']);
  });

  it('never holds under 20 concurrent identical trigger events: one enrollment, every event stored', async () => {
    await sequence('once', { reentry: 'never' });
    const email = 'cora@reentry.test';
    const contactId = (await t.post('/v1/contacts', { email }).expect(201)).body.id as string;
    // By contactId: an event by email upserts the contact, whose row lock would queue the 20 one after another.
    const replies = await Promise.all(
      Array.from(
        { length: 20 },
        async (_, i) =>
          (await t.post('/v1/events', { contactId, name: 'once_signup', idempotencyKey: `form-${i}` }).expect(202))
            .body as { enrolled: string[]; notEnrolled: Array<{ sequence: string; reason: string }> },
      ),
    );
    const rows = await enrollments(email, 'once');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ once: true, trigger_event_id: expect.any(String) });
    expect(replies.filter((reply) => reply.enrolled.includes('once'))).toHaveLength(1);
    const refused = replies.filter((reply) => reply.enrolled.length === 0);
    expect(refused).toHaveLength(19);
    for (const reply of refused) expect(reply.notEnrolled).toEqual([{ sequence: 'once', reason: 'reentry' }]);
    const stored = await t.pool.query(
      `SELECT count(*)::int AS n FROM events e JOIN contacts c ON c.id = e.contact_id WHERE c.email = $1`,
      [email],
    );
    expect(stored.rows[0].n).toBe(20);

    // Once it ended, still never again: by event or by hand.
    await exit(email, 'once');
    expect((await event(email, 'once_signup')).notEnrolled).toEqual([{ sequence: 'once', reason: 'reentry' }]);
    const refusedByHand = await t.post('/v1/sequences/once/enrollments', { email }).expect(409);
    expect(refusedByHand.body).toMatchObject({ code: 'enrollment.reentry_refused' });
    expect(refusedByHand.body.message).toBe(
      `contact ${contactId} was already enrolled in sequence once, whose reentry is never`,
    );
  });

  it('a cooldown counts from the end of the last enrollment to the next start', async () => {
    await sequence('cool', { reentry: 'always', reentryCooldownDays: 3 });
    const email = 'dan@reentry.test';
    await event(email, 'cool_signup');
    await exit(email, 'cool'); // ended at T0
    t.clock.set(new Date(T0.getTime() + DAY));
    expect(await event(email, 'cool_signup')).toMatchObject({
      enrolled: [],
      notEnrolled: [{ sequence: 'cool', reason: 'cooldown' }],
    });
    const refused = await t.post('/v1/sequences/cool/enrollments', { email }).expect(409);
    expect(refused.body.code).toBe('enrollment.reentry_cooldown');
    expect(refused.body.message).toContain('cooldown of 3 days');
    expect(refused.body.message).toContain(`next allowed at ${new Date(T0.getTime() + 3 * DAY).toISOString()}`);
    // A start (day 0) at the cooldown's end is allowed, even when asked for earlier.
    await t
      .post('/v1/sequences/cool/enrollments', { email, startAt: new Date(T0.getTime() + 3 * DAY).toISOString() })
      .expect(201);
    t.clock.set(T0);
  });

  it('an event lists every live sequence it triggers but did not enroll, with the reason', async () => {
    for (const key of ['multi-a', 'multi-b']) {
      await t
        .post('/v1/sequences', {
          key,
          name: key,
          triggerEvent: 'multi',
          ...(key === 'multi-b' ? { audienceSegment: 'vip' } : {}),
          steps: [{ key: 'welcome', dayOffset: 0, template: 'tpl' }],
        })
        .expect(201);
      await t.post(`/v1/sequences/${key}/activate`, {}).expect(200);
    }
    const sorted = (reply: { notEnrolled: Array<{ sequence: string; reason: string }> }) =>
      [...reply.notEnrolled].sort((a, b) => a.sequence.localeCompare(b.sequence));

    const first = await event('eve@reentry.test', 'multi');
    expect(first.enrolled).toEqual(['multi-a']);
    expect(sorted(first)).toEqual([{ sequence: 'multi-b', reason: 'audience' }]);
    expect(sorted(await event('eve@reentry.test', 'multi'))).toEqual([
      { sequence: 'multi-a', reason: 'already-active' },
      { sequence: 'multi-b', reason: 'audience' },
    ]);
    const vip = await event('vic@reentry.test', 'multi', { contact: { attributes: { vip: true } } });
    expect([...vip.enrolled].sort()).toEqual(['multi-a', 'multi-b']);
    expect(vip.notEnrolled).toEqual([]);

    await t.post('/v1/contacts', { email: 'uma@reentry.test' }).expect(201);
    await t.pool.query(`UPDATE contacts SET status = 'unsubscribed' WHERE email = 'uma@reentry.test'`);
    const unsubscribed = await event('uma@reentry.test', 'multi');
    expect(unsubscribed.enrolled).toEqual([]);
    expect(sorted(unsubscribed)).toEqual([
      { sequence: 'multi-a', reason: 'contact-status' },
      { sequence: 'multi-b', reason: 'contact-status' },
    ]);
    // An archived sequence is not live: the event does not name it.
    await t.post('/v1/sequences/multi-b/archive', {}).expect(200);
    expect((await event('uma@reentry.test', 'multi')).notEnrolled).toEqual([
      { sequence: 'multi-a', reason: 'contact-status' },
    ]);
  });

  it('a segment enrollment counts the refused members as ineligible, set-based', async () => {
    await sequence('seg', { reentryCooldownDays: 2 });
    const domain = 'seg.reentry.test';
    await t
      .post('/v1/segments', {
        key: 'seg-members',
        name: 'S',
        rule: { all: [{ field: 'email', op: 'contains', value: `@${domain}` }] },
      })
      .expect(201);
    const fresh = `fresh@${domain}`;
    const active = `active@${domain}`;
    const converted = `converted@${domain}`;
    const unsubscribed = `unsubscribed@${domain}`;
    const cooling = `cooling@${domain}`;
    await t.post('/v1/contacts', { email: fresh }).expect(201);
    await event(active, 'seg_signup');
    await event(converted, 'seg_signup');
    await event(converted, 'seg_bought');
    await t.post('/v1/contacts', { email: unsubscribed }).expect(201);
    await t.pool.query(`UPDATE contacts SET status = 'unsubscribed' WHERE email = $1`, [unsubscribed]);
    t.clock.set(new Date(T0.getTime() - DAY));
    await event(cooling, 'seg_signup');
    await exit(cooling, 'seg'); // a day before the segment enrollment, inside the 2-day cooldown
    t.clock.set(T0);

    const reply = await t.post('/v1/sequences/seg/enrollments', { segment: 'seg-members' }).expect(200);
    expect(reply.body).toEqual({ enrolled: 1, alreadyEnrolled: 1, ineligible: 3 });
    expect((await enrollments(fresh, 'seg')).map((row) => row.status)).toEqual(['active']);
    expect(await enrollments(unsubscribed, 'seg')).toEqual([]);
    expect((await enrollments(cooling, 'seg')).map((row) => row.status)).toEqual(['exited']);
    // Again: everyone is now refused or already in.
    const again = await t.post('/v1/sequences/seg/enrollments', { segment: 'seg-members' }).expect(200);
    expect(again.body).toEqual({ enrolled: 0, alreadyEnrolled: 2, ineligible: 3 });
  });

  it('decides the holdout at insert from the enrollment id and shows it on the enrollment and the calendar', async () => {
    await sequence('held', { reentry: 'always', holdoutPercent: 50 });
    const domain = 'held.reentry.test';
    await t
      .post(
        '/v1/contacts/import',
        Array.from({ length: 60 }, (_, i) => ({ email: `h${i}@${domain}` })),
      )
      .expect(200);
    await t
      .post('/v1/segments', {
        key: 'held-members',
        name: 'H',
        rule: { all: [{ field: 'email', op: 'contains', value: `@${domain}` }] },
      })
      .expect(201);
    expect((await t.post('/v1/sequences/held/enrollments', { segment: 'held-members' }).expect(200)).body).toEqual({
      enrolled: 60,
      alreadyEnrolled: 0,
      ineligible: 0,
    });
    const rows = (
      await t.pool.query(
        `SELECT e.id, e.holdout, e.contact_id FROM enrollments e JOIN sequences s ON s.id = e.sequence_id WHERE s.key = 'held'`,
      )
    ).rows as Array<{ id: string; holdout: boolean; contact_id: string }>;
    for (const row of rows) expect(row.holdout).toBe(isHeldOut(row.id, 50));
    const held = rows.filter((row) => row.holdout).length;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(60);

    const calendar = await t
      .http()
      .get(`/v1/sequences/held/calendar?contactId=${rows[0].contact_id}`)
      .set(t.auth)
      .expect(200);
    expect(calendar.body.enrollment).toMatchObject({ id: rows[0].id, holdout: rows[0].holdout });

    // A single enrollment's reply shows it too; a sequence without a holdout holds no one out.
    const single = await t.post('/v1/sequences/after/enrollments', { email: 'zed@reentry.test' }).expect(404);
    expect(single.body.code).toBe('contact.not_found');
    await t.post('/v1/contacts', { email: 'zed@reentry.test' }).expect(201);
    const enrolled = await t.post('/v1/sequences/after/enrollments', { email: 'zed@reentry.test' }).expect(201);
    expect(enrolled.body).toMatchObject({ sequence: 'after', holdout: false });
  });
});
