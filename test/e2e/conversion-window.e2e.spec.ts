import { pass } from '../support/pass.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * A sequence's `conversionWindowDays`: an enrollment keeps running that long after its last step, so a purchase
 * then is still the sequence's conversion (attributed to the last step), and only then completes. Without it, the
 * last step completes the enrollment and a later purchase is nobody's. Real SMTP sink, test clock.
 */
describe('the conversion window after the last step', () => {
  let t: DeliveryTestApp;
  const T0 = new Date('2026-11-24T10:00:00Z');
  const DAY = 86_400_000;
  const at = (days: number) => new Date(T0.getTime() + days * DAY);

  const sequence = async (key: string, extra: Record<string, unknown> = {}) => {
    await t
      .post('/v1/sequences', {
        key,
        name: key,
        triggerEvent: `${key}_signup`,
        conversionEvent: 'course_purchased',
        steps: [
          { key: 'welcome', dayOffset: 0, template: 'tpl' },
          { key: 'feedback', dayOffset: 2, template: 'tpl' },
        ],
        ...extra,
      })
      .expect(201);
    await t.post(`/v1/sequences/${key}/activate`, {}).expect(200);
  };
  const status = async (email: string, key: string) =>
    (
      await t.pool.query(
        `SELECT e.status FROM enrollments e JOIN contacts c ON c.id = e.contact_id
         JOIN sequences s ON s.id = e.sequence_id WHERE c.email = $1 AND s.key = $2`,
        [email, key],
      )
    ).rows[0].status as string;
  const signup = (email: string, key: string) =>
    t.post('/v1/events', { email, name: `${key}_signup`, occurredAt: T0.toISOString() }).expect(202);

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    t.clock.set(T0);
    await t
      .post('/v1/templates', { key: 'tpl', name: 'T', variants: [{ locale: 'en', subject: 'Hi', html: '<p>Hi</p>' }] })
      .expect(201);
    await sequence('windowed', { conversionWindowDays: 3 });
    await sequence('plain');
  });
  afterAll(() => t.close());

  it('shows the window on the sequence and refuses a bad one', async () => {
    const read = await t.http().get('/v1/sequences/windowed').set(t.auth).expect(200);
    expect(read.body.conversionWindowDays).toBe(3);
    const bad = await t.post('/v1/sequences', { key: 'bad', name: 'B', conversionWindowDays: 400, steps: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('conversionWindowDays must not be greater than 365');
  });

  it('counts a purchase two days after the last step, attributed to it; a contact who does not buy completes', async () => {
    await signup('buyer@example.md', 'windowed');
    await signup('buyer@example.md', 'plain');
    await signup('browser@example.md', 'windowed');
    await pass(t, at(0));
    await pass(t, at(2));
    expect(t.sink.messages).toHaveLength(6);
    expect(await status('buyer@example.md', 'windowed')).toBe('active');
    expect(await status('buyer@example.md', 'plain')).toBe('completed');

    t.clock.set(at(4));
    const bought = await t
      .post('/v1/events', { email: 'buyer@example.md', name: 'course_purchased', occurredAt: at(4).toISOString() })
      .expect(202);
    expect(bought.body.converted).toEqual(['windowed']);
    expect(await status('buyer@example.md', 'windowed')).toBe('converted');
    expect(await status('buyer@example.md', 'plain')).toBe('completed');
    const conversions = await t.http().get('/v1/conversions?sequence=windowed').set(t.auth).expect(200);
    expect(conversions.body.items).toEqual([
      expect.objectContaining({ email: 'buyer@example.md', attributedStep: 'feedback' }),
    ]);
    const funnel = await t.http().get('/v1/sequences/windowed/funnel').set(t.auth).expect(200);
    expect(funnel.body.steps[1]).toMatchObject({ key: 'feedback', convertedAfter: 1 });

    expect((await pass(t, at(4.9))).claimed).toBe(0); // the window runs 3 days from the last send
    expect(await status('browser@example.md', 'windowed')).toBe('active');
    await pass(t, at(5));
    expect(await status('browser@example.md', 'windowed')).toBe('completed');
    expect(t.sink.messages).toHaveLength(6);
  });
});
