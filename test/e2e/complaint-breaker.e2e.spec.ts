import { seedCampaign } from '../support/campaign.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * The complaint breaker over HTTP and real SMTP: 300 emails sent, then complaints through the generic webhook.
 * With COMPLAINT_RATE_LIMIT 0.01, 2 complaints in 300 sends stay below it and pause nothing; the 3rd reaches it
 * and the next scheduling pass pauses every active sequence (pausedReason complaint-rate, logged, counted);
 * activate resumes one, and the complaints it has already acted on do not pause it again.
 */

const TOKEN = 'webhook-token-0123456789';
const SENT = 300;

describe('the complaint breaker', () => {
  let t: DeliveryTestApp;

  beforeAll(async () => {
    t = await startDeliveryTestApp({ WEBHOOK_TOKEN: TOKEN, COMPLAINT_RATE_LIMIT: '0.01' });
    await seedCampaign(t.post, {
      key: 'course',
      domain: 'breaker.test',
      prefix: 'c',
      contacts: SENT,
      steps: [
        { key: 'day0', dayOffset: 0 },
        { key: 'day7', dayOffset: 7 },
      ],
      startAt: '2026-11-24T09:59:00Z',
    });
    // A second marketing sequence, active, and a draft one the breaker must leave alone.
    for (const key of ['news', 'draft']) {
      await t
        .post('/v1/sequences', { key, name: key, steps: [{ key: 'one', dayOffset: 0, template: 'course' }] })
        .expect(201);
    }
    await t.post('/v1/sequences/news/activate', {}).expect(200);
    const pass = await t.post('/v1/scheduler/run', {}).expect(200);
    expect(pass.body.sent).toBe(SENT);
    await t.sink.waitForCount(SENT);
  });
  afterAll(() => t?.close());

  const complain = async (...indexes: number[]) => {
    const events = indexes.map((i) => ({ email: `c${i}@breaker.test`, type: 'complaint' }));
    const response = await t
      .http()
      .post('/hooks/email-events/generic')
      .query({ token: TOKEN })
      .send(events)
      .expect(200);
    expect(response.body.recorded).toBe(indexes.length);
  };
  const sequence = async (key: string) =>
    (await t.http().get(`/v1/sequences/${key}`).set(t.auth).expect(200)).body as {
      status: string;
      pausedReason: string | null;
    };
  const trips = async () => {
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    return Number(/^touchpoint_complaint_breaker_trips_total (\d+)/m.exec(metrics)?.[1]);
  };

  it('pauses nothing below the limit (2 complaints in 300 sends, limit 0.01)', async () => {
    await complain(0, 1);
    // The same person complaining twice (two reports, two sources) is one complaint.
    await complain(1);
    await t.post('/v1/scheduler/run', {}).expect(200);
    expect(await sequence('course')).toMatchObject({ status: 'active', pausedReason: null });
    expect(await sequence('news')).toMatchObject({ status: 'active', pausedReason: null });
    expect(await trips()).toBe(0);
  });

  it('pauses every active sequence after the pass once complaints reach the limit (3 in 300)', async () => {
    await complain(2);
    await t.post('/v1/scheduler/run', {}).expect(200);
    expect(await sequence('course')).toEqual(
      expect.objectContaining({ status: 'paused', pausedReason: 'complaint-rate' }),
    );
    expect(await sequence('news')).toEqual(
      expect.objectContaining({ status: 'paused', pausedReason: 'complaint-rate' }),
    );
    expect(await sequence('draft')).toMatchObject({ status: 'draft', pausedReason: null });
    expect(await trips()).toBe(1);
  });

  it('stays paused through later passes; only activate resumes, and the same complaints do not pause it again', async () => {
    await t.post('/v1/scheduler/run', {}).expect(200);
    expect(await sequence('course')).toMatchObject({ status: 'paused', pausedReason: 'complaint-rate' });
    const resumed = await t.post('/v1/sequences/course/activate', {}).expect(200);
    expect(resumed.body).toMatchObject({ status: 'active', pausedReason: null });
    await t.post('/v1/scheduler/run', {}).expect(200);
    expect(await sequence('course')).toMatchObject({ status: 'active', pausedReason: null });
    expect(await sequence('news')).toMatchObject({ status: 'paused', pausedReason: 'complaint-rate' });
    expect(await trips()).toBe(1);
  });
});
