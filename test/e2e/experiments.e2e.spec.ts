import { assignVariant } from '../../src/experiments/assignment.js';
import { newcombeDifference } from '../../src/experiments/statistics.js';
import { pass } from '../support/pass.js';
import type { ReceivedMessage } from '../support/smtp-sink.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * A/B variants, the automatic winner, pinning and holdout groups (issue 15), through the API, a real database and
 * a real SMTP server; every pass runs as of a time before the app's clock (10:00), so the clicks that follow,
 * recorded at the clock's time, are a person's (src/tracking/machine-rules.ts).
 */

const HUMAN = 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0';
const DAY0 = new Date('2026-11-24T08:00:00Z');
const at = (minutes: number) => new Date(DAY0.getTime() + minutes * 60_000);
const AB = [
  { key: 'a', template: 'offer-a', weight: 1 },
  { key: 'b', template: 'offer-b', weight: 1 },
];

const subjectOf = (message: ReceivedMessage) => message.parsed.subject;
const clickLinkOf = (message: ReceivedMessage) =>
  new URL(/href="(http:\/\/touchpoint\.test\/t\/c\/[^"]+)"/.exec(String(message.parsed.html))![1]).pathname;

interface Row {
  id: string;
  email: string;
  enrollment_id: string;
  variant: string | null;
  holdout: boolean;
}

describe('A/B variants, winner and holdout', () => {
  let t: DeliveryTestApp;

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    for (const variant of ['A', 'B']) {
      await t
        .post('/v1/templates', {
          key: `offer-${variant.toLowerCase()}`,
          name: `Offer ${variant}`,
          variants: [
            {
              locale: 'en',
              subject: `Offer ${variant}`,
              html: `<p>Version ${variant}: <a href="https://shop.example/buy">buy</a></p>`,
            },
          ],
        })
        .expect(201);
    }
  });

  afterAll(() => t?.close());

  async function sequence(key: string, extra: Record<string, unknown>, step: Record<string, unknown> = {}) {
    await t
      .post('/v1/sequences', {
        key,
        name: key,
        conversionEvent: 'bought',
        steps: [{ key: 'offer', dayOffset: 0, variants: AB, ...step }],
        ...extra,
      })
      .expect(201);
    await t.post(`/v1/sequences/${key}/activate`, {}).expect(200);
  }

  /** `count` new contacts `<prefix><i>@<prefix>.example`, enrolled in `key` by a segment, day 0 at `start`. */
  async function enroll(key: string, prefix: string, count: number, start = DAY0) {
    const contacts = Array.from({ length: count }, (_, i) => ({ email: `${prefix}${i}@${prefix}.example` }));
    await t.post('/v1/contacts/import', contacts).expect(200);
    await t
      .post('/v1/segments', {
        key: prefix,
        name: prefix,
        rule: { all: [{ field: 'email', op: 'contains', value: `@${prefix}.example` }] },
      })
      .expect(201);
    const reply = await t
      .post(`/v1/sequences/${key}/enrollments`, { segment: prefix, startAt: start.toISOString() })
      .expect(200);
    expect(reply.body.enrolled).toBe(count);
    return contacts.map((contact) => contact.email);
  }

  /** Every enrollment of `key` for the given addresses, with its delivery row of the step (if any). */
  async function rows(key: string, emails: string[]): Promise<Row[]> {
    const result = await t.pool.query<Row>(
      `SELECT d.id, c.email, e.id AS enrollment_id, d.variant, e.holdout
       FROM enrollments e JOIN sequences s ON s.id = e.sequence_id JOIN contacts c ON c.id = e.contact_id
       LEFT JOIN deliveries d ON d.enrollment_id = e.id
       WHERE s.key = $1 AND c.email = ANY($2)`,
      [key, emails],
    );
    return result.rows;
  }

  async function sendPass(now: Date, expectedSent: number) {
    const before = t.sink.messages.length;
    expect((await pass(t, now)).sent).toBe(expectedSent);
    await t.sink.waitForCount(before + expectedSent);
  }

  it('splits a 50/50 step over 400 enrollments within the binomial 99% range; each row and email carries its variant', async () => {
    await sequence('split', {});
    const emails = await enroll('split', 'split', 400);
    await sendPass(at(0), 400);
    const sent = await rows('split', emails);
    expect(sent).toHaveLength(400);
    // Binomial(400, 0.5): 99% of splits fall in [174, 226].
    const a = sent.filter((row) => row.variant === 'a').length;
    expect(a).toBeGreaterThanOrEqual(174);
    expect(a).toBeLessThanOrEqual(226);
    for (const row of sent) {
      expect(row.variant).toBe(assignVariant(row.enrollment_id, 'offer', AB));
      const mail = t.sink.to(row.email);
      expect(mail).toHaveLength(1);
      expect(subjectOf(mail[0])).toBe(`Offer ${row.variant!.toUpperCase()}`);
    }
    const log = await t.http().get('/v1/deliveries?sequence=split&limit=500').set(t.auth).expect(200);
    expect(log.body.items).toHaveLength(400);
    expect(log.body.items.filter((item: { variant: string }) => item.variant === 'a')).toHaveLength(a);
    const funnel = await t.http().get('/v1/sequences/split/funnel').set(t.auth).expect(200);
    expect(funnel.body.steps[0].variants).toEqual([
      { key: 'a', sent: a, opened: 0, clicked: 0, convertedAfter: 0 },
      { key: 'b', sent: 400 - a, opened: 0, clicked: 0, convertedAfter: 0 },
    ]);
  });

  it('makes B the winner once every variant has minPerVariant sends, when only B’s emails are clicked; later sends use B only', async () => {
    const experiment = { metric: 'click', minPerVariant: 20, probabilityToBeat: 0.95 };
    await sequence('auto', {}, { experiment });
    const clickB = async (emails: string[]) => {
      for (const row of await rows('auto', emails)) {
        const [mail] = t.sink.to(row.email);
        expect(subjectOf(mail)).toBe(`Offer ${row.variant!.toUpperCase()}`);
        if (row.variant === 'b') await t.http().get(clickLinkOf(mail)).set('User-Agent', HUMAN).expect(302);
      }
    };
    const winner = async () =>
      (await t.http().get('/v1/sequences/auto').set(t.auth).expect(200)).body.steps[0].winner as {
        variant: string;
        probability: number;
        decidedAt: string;
        by: string;
      } | null;

    // 20 sends: B's clicks are overwhelming, but no variant can have 20 sends and the other too.
    const first = await enroll('auto', 'autoa', 20, at(0));
    await sendPass(at(1), 20);
    await clickB(first);
    await pass(t, at(2));
    expect(await winner()).toBeNull();

    // 80 more sends: each variant now has at least 20 (Binomial(100, 0.5) < 20 has probability 1e-9).
    const second = await enroll('auto', 'autob', 80, at(3));
    await sendPass(at(4), 80);
    await clickB(second);
    await pass(t, at(5));
    const counts = await t.pool.query<{ variant: string; n: number }>(
      `SELECT variant, count(*)::int AS n FROM deliveries d JOIN sequences s ON s.id = d.sequence_id
       WHERE s.key = 'auto' GROUP BY variant`,
    );
    for (const row of counts.rows) expect(row.n).toBeGreaterThanOrEqual(20);
    const decided = await winner();
    expect(decided).toMatchObject({ variant: 'b', by: 'auto' });
    expect(decided!.probability).toBeGreaterThanOrEqual(0.95);
    expect([at(4).toISOString(), at(5).toISOString()]).toContain(decided!.decidedAt);

    // Later enrollments all get B, whatever their assignment.
    const third = await enroll('auto', 'autoc', 30, at(6));
    await sendPass(at(7), 30);
    const later = await rows('auto', third);
    expect(later.map((row) => row.variant)).toEqual(Array(30).fill('b'));
    for (const email of third) expect(subjectOf(t.sink.to(email)[0])).toBe('Offer B');
    expect(later.some((row) => assignVariant(row.enrollment_id, 'offer', AB) === 'a')).toBe(true);
    // Decided once: the next pass leaves the recorded decision alone.
    await pass(t, at(8));
    expect(await winner()).toEqual(decided);
  });

  it('judges a conversion experiment by the conversions that followed each variant’s sends', async () => {
    const experiment = { metric: 'conversion', minPerVariant: 20, probabilityToBeat: 0.95 };
    // A later step keeps the enrollments running, so a purchase after the first email converts them.
    await t
      .post('/v1/sequences', {
        key: 'conv',
        name: 'conv',
        conversionEvent: 'bought',
        steps: [
          { key: 'offer', dayOffset: 0, variants: AB, experiment },
          { key: 'later', dayOffset: 7, template: 'offer-a' },
        ],
      })
      .expect(201);
    await t.post('/v1/sequences/conv/activate', {}).expect(200);
    // Binomial(100, 0.5) below 20 has probability 1e-9: both variants reach minPerVariant.
    const emails = await enroll('conv', 'conv', 100, at(40));
    await sendPass(at(41), 100);
    const sent = await rows('conv', emails);
    expect(sent.filter((row) => row.variant === 'a').length).toBeGreaterThanOrEqual(20);
    expect(sent.filter((row) => row.variant === 'b').length).toBeGreaterThanOrEqual(20);
    for (const row of sent.filter((candidate) => candidate.variant === 'b')) {
      await t.post('/v1/events', { email: row.email, name: 'bought', occurredAt: at(45).toISOString() }).expect(202);
    }
    await pass(t, at(46));
    const { body } = await t.http().get('/v1/sequences/conv').set(t.auth).expect(200);
    expect(body.steps[0].winner).toMatchObject({ variant: 'b', by: 'auto', decidedAt: at(46).toISOString() });
  });

  it('pins a winner by hand (200 with the sequence), refuses unknown sequences, steps and variants', async () => {
    await sequence('pinned', {});
    const pinned = await t.post('/v1/sequences/pinned/steps/offer/winner', { variant: 'a' }).expect(200);
    expect(pinned.body.key).toBe('pinned');
    expect(pinned.body.steps[0].winner).toEqual({
      variant: 'a',
      probability: null,
      decidedAt: t.clock.now().toISOString(),
      by: 'pinned',
    });
    await t.post('/v1/sequences/nope/steps/offer/winner', { variant: 'a' }).expect(404);
    await t.post('/v1/sequences/pinned/steps/nope/winner', { variant: 'a' }).expect(404);
    await t.post('/v1/sequences/pinned/steps/offer/winner', { variant: 'c' }).expect(400);
    await t.post('/v1/sequences/pinned/steps/offer/winner', {}).expect(400);
    await t
      .post('/v1/sequences', {
        key: 'plain',
        name: 'plain',
        steps: [{ key: 'offer', dayOffset: 0, template: 'offer-a' }],
      })
      .expect(201);
    await t.post('/v1/sequences/plain/steps/offer/winner', { variant: 'a' }).expect(400);

    const emails = await enroll('pinned', 'pinned', 20, at(10));
    await sendPass(at(11), 20);
    expect((await rows('pinned', emails)).map((row) => row.variant)).toEqual(Array(20).fill('a'));
    for (const email of emails) expect(subjectOf(t.sink.to(email)[0])).toBe('Offer A');
  });

  it('resends a failed delivery with its own variant’s template', async () => {
    const {
      rows: [row],
    } = await t.pool.query<{ id: string; email: string }>(
      `SELECT d.id, c.email FROM deliveries d JOIN contacts c ON c.id = d.contact_id
       JOIN sequences s ON s.id = d.sequence_id WHERE s.key = 'split' AND d.variant = 'b' LIMIT 1`,
    );
    await t.pool.query(`UPDATE deliveries SET status = 'failed', reason = 'test' WHERE id = $1`, [row.id]);
    const before = t.sink.messages.length;
    await t.post(`/v1/deliveries/${row.id}/retry`, {}).expect(202);
    await t.sink.waitForCount(before + 1);
    const resent = t.sink.messages[t.sink.messages.length - 1];
    expect(resent.envelopeTo).toEqual([row.email]);
    expect(subjectOf(resent)).toBe('Offer B');
  });

  it('holds out 20%: no email and no delivery rows for them, their conversions in the funnel’s holdout and lift', async () => {
    await t
      .post('/v1/sequences', {
        key: 'held',
        name: 'held',
        conversionEvent: 'bought',
        holdoutPercent: 20,
        steps: [
          { key: 'hello', dayOffset: 0, template: 'offer-a' },
          { key: 'later', dayOffset: 3, template: 'offer-b' },
        ],
      })
      .expect(201);
    await t.post('/v1/sequences/held/activate', {}).expect(200);
    const n = 200;
    const emails = await enroll('held', 'held', n, at(20));
    const enrolled = await rows('held', emails);
    const heldOut = enrolled.filter((row) => row.holdout);
    // Binomial(200, 0.2): 99.9% of draws fall in [22, 59].
    expect(heldOut.length).toBeGreaterThanOrEqual(22);
    expect(heldOut.length).toBeLessThanOrEqual(59);
    await sendPass(at(21), n - heldOut.length);
    await pass(t, at(22));
    for (const row of heldOut) expect(t.sink.to(row.email)).toHaveLength(0);
    const after = await rows('held', emails);
    expect(after.filter((row) => row.holdout && row.id !== null)).toEqual([]);
    expect(after.filter((row) => !row.holdout && row.id !== null)).toHaveLength(n - heldOut.length);

    // Half the held-out contacts buy, and 60% of the treated ones.
    const treated = enrolled.filter((row) => !row.holdout);
    const buyers = [
      ...heldOut.slice(0, Math.floor(heldOut.length / 2)),
      ...treated.slice(0, Math.floor(treated.length * 0.6)),
    ];
    for (const row of buyers) {
      await t.post('/v1/events', { email: row.email, name: 'bought', occurredAt: at(30).toISOString() }).expect(202);
    }
    const heldConverted = Math.floor(heldOut.length / 2);
    const treatedConverted = Math.floor(treated.length * 0.6);
    const funnel = await t.http().get('/v1/sequences/held/funnel').set(t.auth).expect(200);
    const { totals } = funnel.body;
    expect(totals.enrolled).toBe(n);
    expect(totals.converted).toBe(heldConverted + treatedConverted);
    expect(totals.holdout).toEqual({
      enrolled: heldOut.length,
      converted: heldConverted,
      conversionRate: Math.round((heldConverted / heldOut.length) * 10_000) / 10_000,
    });
    const expected = newcombeDifference(
      { successes: treatedConverted, trials: treated.length },
      { successes: heldConverted, trials: heldOut.length },
    );
    const round = (value: number) => Math.round(value * 10_000) / 10_000;
    expect(totals.lift).toEqual({
      absolute: round(expected.difference),
      relative: round(expected.difference / (heldConverted / heldOut.length)),
      interval95: expected.interval.map(round),
    });
    expect(totals.lift.interval95[0]).toBeLessThan(totals.lift.absolute);
    expect(totals.lift.interval95[1]).toBeGreaterThan(totals.lift.absolute);
  });
});
