import { startTestApp, type TestApp } from '../support/test-app.js';

/** The journey fields a sequence and its steps carry (API.md v1.1): validated at the door, stored, shown. */
describe('sequence journey fields', () => {
  let t: TestApp;
  const put = (path: string, body: unknown) =>
    t
      .http()
      .put(path)
      .set(t.auth)
      .send(body as object);

  const sequence = (key: string, extra: Record<string, unknown> = {}, steps?: unknown[]) => ({
    key,
    name: `Sequence ${key}`,
    triggerEvent: 'signup',
    steps: steps ?? [
      { key: 'welcome', dayOffset: 0, template: 'a' },
      {
        key: 'offer',
        dayOffset: 2,
        variants: [
          { key: 'plain', template: 'a', weight: 1 },
          { key: 'bold', template: 'b', weight: 3 },
        ],
        experiment: { metric: 'click', minPerVariant: 100, probabilityToBeat: 0.95 },
      },
    ],
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp();
    for (const key of ['a', 'b']) {
      await t
        .post('/v1/templates', { key, name: key, variants: [{ locale: 'en', subject: key, html: `<p>${key}</p>` }] })
        .expect(201);
    }
  });
  afterAll(() => t.close());

  it('defaults: after-completion, no cooldown, not transactional, no holdout, plain steps without winner', async () => {
    const created = await t.post('/v1/sequences', sequence('plain', {}, [{ key: 'one', dayOffset: 0, template: 'a' }]));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      reentry: 'after-completion',
      reentryCooldownDays: null,
      transactional: false,
      holdoutPercent: 0,
    });
    expect(created.body.steps[0]).toEqual(expect.objectContaining({ template: 'a', winner: null }));
    expect(created.body.steps[0]).not.toHaveProperty('variants');
  });

  it('stores and shows re-entry, transactional, holdout, variants and the experiment', async () => {
    const body = sequence('ab', { reentry: 'never', reentryCooldownDays: 30, transactional: true, holdoutPercent: 20 });
    await t.post('/v1/sequences', body).expect(201);
    const read = await t.http().get('/v1/sequences/ab').set(t.auth).expect(200);
    expect(read.body).toMatchObject({
      reentry: 'never',
      reentryCooldownDays: 30,
      transactional: true,
      holdoutPercent: 20,
    });
    expect(read.body.steps[1]).toMatchObject({
      key: 'offer',
      template: 'a',
      variants: [
        { key: 'plain', template: 'a', weight: 1 },
        { key: 'bold', template: 'b', weight: 3 },
      ],
      experiment: { metric: 'click', minPerVariant: 100, probabilityToBeat: 0.95 },
      winner: null,
    });
  });

  it('keeps a winner through an edit only while its variant remains', async () => {
    await t.post('/v1/sequences', sequence('kept')).expect(201);
    await t.pool.query(
      `UPDATE sequence_steps SET winner = '{"variant":"bold","probability":0.97,"decidedAt":"2026-11-30T10:00:00.000Z","by":"auto"}'
       WHERE key = 'offer' AND sequence_id = (SELECT id FROM sequences WHERE key = 'kept')`,
    );
    const renamed = { ...sequence('kept'), key: undefined, name: 'Renamed' };
    const edited = await put('/v1/sequences/kept', renamed).expect(200);
    expect(edited.body.steps[1].winner).toEqual({
      variant: 'bold',
      probability: 0.97,
      decidedAt: '2026-11-30T10:00:00.000Z',
      by: 'auto',
    });
    const withoutBold = sequence('kept', {}, [
      { key: 'welcome', dayOffset: 0, template: 'a' },
      {
        key: 'offer',
        dayOffset: 2,
        variants: [
          { key: 'plain', template: 'a', weight: 1 },
          { key: 'calm', template: 'b', weight: 1 },
        ],
      },
    ]);
    const changed = await put('/v1/sequences/kept', { ...withoutBold, key: undefined }).expect(200);
    expect(changed.body.steps[1].winner).toBeNull();
  });

  it.each([
    [{ reentry: 'sometimes' }, 'reentry must be one of: never, after-completion, always'],
    [{ reentryCooldownDays: -1 }, 'reentryCooldownDays must not be less than 0'],
    [{ holdoutPercent: 51 }, 'holdoutPercent must not be greater than 50'],
    [{ transactional: 'yes' }, 'transactional must be a boolean value'],
  ])('refuses %j naming the field', async (extra, message) => {
    const response = await t.post('/v1/sequences', sequence('bad', extra)).expect(400);
    expect(response.body.message).toContain(message);
    expect((await t.pool.query(`SELECT 1 FROM sequences WHERE key = 'bad'`)).rowCount).toBe(0);
  });

  it.each([
    [[{ key: 's', dayOffset: 0 }], 'steps.0: give a template or variants'],
    [
      [
        {
          key: 's',
          dayOffset: 0,
          template: 'a',
          variants: [
            { key: 'x', template: 'a', weight: 1 },
            { key: 'y', template: 'b', weight: 1 },
          ],
        },
      ],
      'steps.0: give a template or variants, not both',
    ],
    [
      [{ key: 's', dayOffset: 0, variants: [{ key: 'x', template: 'a', weight: 1 }] }],
      'variants must have 2 to 4 entries',
    ],
    [
      [
        {
          key: 's',
          dayOffset: 0,
          variants: [
            { key: 'x', template: 'a', weight: 1 },
            { key: 'x', template: 'b', weight: 1 },
          ],
        },
      ],
      'steps.0.variants.1.key x repeats steps.0.variants.0.key',
    ],
    [
      [
        {
          key: 's',
          dayOffset: 0,
          variants: [
            { key: 'x', template: 'a', weight: 0 },
            { key: 'y', template: 'nope', weight: 1 },
          ],
        },
      ],
      'steps.0.variants.0.weight must not be less than 1',
    ],
    [
      [
        {
          key: 's',
          dayOffset: 0,
          variants: [
            { key: 'x', template: 'a', weight: 1 },
            { key: 'y', template: 'nope', weight: 1 },
          ],
        },
      ],
      'steps.0.variants.1.template: unknown template "nope"',
    ],
    [
      [
        {
          key: 's',
          dayOffset: 0,
          template: 'a',
          experiment: { metric: 'click', minPerVariant: 50, probabilityToBeat: 0.9 },
        },
      ],
      'steps.0.experiment needs variants to compare',
    ],
    [
      [
        {
          key: 's',
          dayOffset: 0,
          variants: [
            { key: 'x', template: 'a', weight: 1 },
            { key: 'y', template: 'b', weight: 1 },
          ],
          experiment: { metric: 'opens', minPerVariant: 10, probabilityToBeat: 0.5 },
        },
      ],
      'experiment.metric must be one of: click, conversion',
    ],
  ])('refuses steps %j naming the problem', async (steps, message) => {
    const response = await t.post('/v1/sequences', sequence('bad-steps', {}, steps as unknown[])).expect(400);
    expect(response.body.message.join('\n')).toContain(message);
    expect((await t.pool.query(`SELECT 1 FROM sequences WHERE key = 'bad-steps'`)).rowCount).toBe(0);
  });
});
