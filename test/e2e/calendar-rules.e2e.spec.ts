import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A contact's calendar (GET /v1/sequences/:key/calendar) tells what the scheduler will do under the journey rules:
 * a step due on a quiet date is planned for the next allowed moment (not for transactional sequences), and a
 * held-out enrollment's steps are skipped for that reason.
 */
describe('the calendar under quiet dates and holdout', () => {
  let t: TestApp;
  const START = '2026-12-23T08:00:00Z'; // 10:00 in Chisinau; day 2 is 25 December there

  const sequence = async (key: string, extra: Record<string, unknown> = {}) => {
    await t
      .post('/v1/sequences', {
        key,
        name: key,
        sendWindow: { from: '09:00', to: '18:00' },
        steps: [
          { key: 'welcome', dayOffset: 0, template: 'tpl' },
          { key: 'christmas', dayOffset: 2, template: 'tpl' },
        ],
        ...extra,
      })
      .expect(201);
    await t.post(`/v1/sequences/${key}/activate`, {}).expect(200);
  };
  const calendar = async (key: string, email: string) =>
    (await t.http().get(`/v1/sequences/${key}/calendar?email=${email}`).set(t.auth).expect(200)).body as {
      enrollment: { holdout: boolean };
      steps: Array<{ key: string; plannedAt: string; status: string; reason?: string }>;
    };

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date(START));
    await t
      .post('/v1/templates', { key: 'tpl', name: 'T', variants: [{ locale: 'en', subject: 'Hi', html: '<p>Hi</p>' }] })
      .expect(201);
    await t.post('/v1/contacts', { email: 'ana@example.md', timezone: 'Europe/Chisinau' }).expect(201);
    await t
      .http()
      .put('/v1/settings')
      .set(t.auth)
      .send({ frequencyCap: null, quietDates: ['2026-12-25'] })
      .expect(200);
  });
  afterAll(() => t.close());

  it('plans a step due on a quiet date for the next local day’s window opening', async () => {
    await sequence('promo');
    await t.post('/v1/sequences/promo/enrollments', { email: 'ana@example.md', startAt: START }).expect(201);
    const steps = (await calendar('promo', 'ana@example.md')).steps;
    expect(steps.map((step) => [step.key, step.plannedAt, step.status])).toEqual([
      ['welcome', '2026-12-23T08:00:00.000Z', 'planned'],
      ['christmas', '2026-12-26T07:00:00.000Z', 'planned'], // 09:00 on the 26th in Chisinau (UTC+2)
    ]);
  });

  it('keeps a transactional sequence’s dates', async () => {
    await sequence('receipts', { transactional: true });
    await t.post('/v1/sequences/receipts/enrollments', { email: 'ana@example.md', startAt: START }).expect(201);
    const steps = (await calendar('receipts', 'ana@example.md')).steps;
    expect(steps[1]).toMatchObject({ key: 'christmas', plannedAt: '2026-12-25T08:00:00.000Z' });
  });

  it('shows a held-out enrollment’s steps as skipped for the holdout', async () => {
    await sequence('held', { holdoutPercent: 50 });
    // Enrollment ids are random and holdout follows the id: enroll until one is held out (2^-200 to miss).
    for (let index = 0; index < 200; index++) {
      const email = `held-${index}@example.md`;
      await t.post('/v1/contacts', { email, timezone: 'Europe/Chisinau' }).expect(201);
      const enrolled = await t.post('/v1/sequences/held/enrollments', { email, startAt: START });
      expect(enrolled.status).toBe(201);
      if (!enrolled.body.holdout) continue;
      const held = await calendar('held', email);
      expect(held.enrollment.holdout).toBe(true);
      expect(held.steps.map((step) => [step.key, step.status, step.reason])).toEqual([
        ['welcome', 'skipped', 'holdout'],
        ['christmas', 'skipped', 'holdout'],
      ]);
      return;
    }
    throw new Error('no enrollment was held out');
  });
});
