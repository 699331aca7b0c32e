import { pass } from '../support/pass.js';
import { startDeliveryTestApp, type DeliveryTestApp } from '../support/test-app.js';

/**
 * The event that started an enrollment reaches its emails (API.md v1.1): `event.name`, `event.properties.*` and
 * `enrollment.startAt`, checked in the messages that arrived at a real SMTP server, and in the preview.
 */
describe('event data in templates', () => {
  let t: DeliveryTestApp;
  // 23:30 UTC is already the 25th in Chisinau (UTC+2): formatDate must write the contact's date, not UTC's.
  const bookedAt = '2026-11-24T23:30:00.000Z';
  const lessonAt = '2026-12-01T17:00:00Z';
  const html =
    '<p>Event: [{{event.name}}]</p>' +
    '<p>Lesson: [{{event.properties.lessonAt}}] [{{formatDate event.properties.lessonAt "long" time="short"}}]</p>' +
    '<p>Course: [{{default event.properties.course "none"}}]</p>' +
    '<p>Started: [{{formatDate enrollment.startAt "long"}}] [{{enrollment.startAt}}]</p>';

  beforeAll(async () => {
    t = await startDeliveryTestApp();
    await t
      .post('/v1/templates', {
        key: 'lesson',
        name: 'Lesson',
        variants: [
          { locale: 'en', subject: 'Your {{event.name}} lesson', html },
          { locale: 'ro', subject: 'Lecția ta {{event.name}}', html },
        ],
      })
      .expect(201);
    await t
      .post('/v1/sequences', {
        key: 'lessons',
        name: 'Lessons',
        triggerEvent: 'lesson_booked',
        steps: [{ key: 'confirm', dayOffset: 0, template: 'lesson' }],
      })
      .expect(201);
    await t.post('/v1/sequences/lessons/activate', {}).expect(200);
  });
  afterAll(() => t.close());

  const textOf = (email: string) => {
    const messages = t.sink.to(email);
    expect(messages).toHaveLength(1);
    return { subject: messages[0].parsed.subject, text: messages[0].parsed.text ?? '', html: messages[0].parsed.html };
  };

  it('renders the enrolling event, its properties and day 0 in the email that arrived', async () => {
    const email = 'ion@event-data.test';
    const reply = await t
      .post('/v1/events', {
        email,
        name: 'lesson_booked',
        occurredAt: bookedAt,
        properties: { lessonAt, course: 'Python' },
        contact: { locale: 'ro-MD', timezone: 'Europe/Chisinau' },
      })
      .expect(202);
    expect(reply.body.enrolled).toEqual(['lessons']);
    expect(await pass(t, new Date(Date.parse(bookedAt) + 60_000))).toMatchObject({ sent: 1 });

    const received = textOf(email);
    expect(received.subject).toBe('Lecția ta lesson_booked');
    expect(received.text).toContain('Event: [lesson_booked]');
    expect(received.text).toContain(`Lesson: [${lessonAt}]`);
    // ro-MD (the contact's locale, in a `ro` email) in Chisinau: 19:00 local on 1 December.
    expect(received.text).toContain('[1 decembrie 2026 la 19:00]');
    expect(received.text).toContain('Course: [Python]');
    expect(received.text).toContain(`Started: [25 noiembrie 2026] [${bookedAt}]`);
  });

  it('gives {} for event when a marketer enrolled the contact', async () => {
    const email = 'mary@event-data.test';
    await t.post('/v1/contacts', { email, locale: 'en-US', timezone: 'America/New_York' }).expect(201);
    await t.post('/v1/sequences/lessons/enrollments', { email, startAt: bookedAt }).expect(201);
    await pass(t, new Date(Date.parse(bookedAt) + 60_000));

    const received = textOf(email);
    expect(received.subject).toBe('Your  lesson');
    expect(received.text).toContain('Event: []');
    expect(received.text).toContain('Lesson: [] []');
    expect(received.text).toContain('Course: [none]');
    // New York is still on the 24th; en-US conventions.
    expect(received.text).toContain(`Started: [November 24, 2026] [${bookedAt}]`);
  });

  it('previews with an event and a day 0, or with {} and now', async () => {
    const preview = await t
      .post('/v1/templates/lesson/preview', {
        contact: { locale: 'ro', timezone: 'Europe/Chisinau' },
        event: { name: 'lesson_booked', properties: { lessonAt, course: 'Go' } },
        enrollment: { startAt: bookedAt },
      })
      .expect(200);
    expect(preview.body.subject).toBe('Lecția ta lesson_booked');
    expect(preview.body.text).toContain('[1 decembrie 2026 la 19:00]');
    expect(preview.body.text).toContain('Course: [Go]');
    expect(preview.body.text).toContain('Started: [25 noiembrie 2026]');

    t.clock.set('2026-11-30T12:00:00Z');
    const bare = await t.post('/v1/templates/lesson/preview', {}).expect(200);
    expect(bare.body.subject).toBe('Your  lesson');
    expect(bare.body.text).toContain('Course: [none]');
    expect(bare.body.text).toContain('Started: [November 30, 2026] [2026-11-30T12:00:00.000Z]');

    const named = await t.post('/v1/templates/lesson/preview', { event: { properties: { course: 'C' } } }).expect(200);
    expect(named.body.subject).toBe('Your sample_event lesson');

    const bad = await t
      .post('/v1/templates/lesson/preview', { event: { properties: 'x' }, enrollment: { startAt: 'soon' } })
      .expect(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^event\.properties/),
        expect.stringMatching(/^enrollment\.startAt/),
      ]),
    );
  });
});
