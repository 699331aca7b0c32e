// The sample audience of `npm run demo:load`: contacts of a small online school in Moldova (ro, ru, en) and the
// story of their events, as of a day 0 the script picks. The same every run, so a re-run upserts the same
// contacts and its events are deduplicated by their idempotency keys.

const PEOPLE = {
  ro: [
    ['Ion', 'Popescu', 'ion.popescu'],
    ['Maria', 'Rusu', 'maria.rusu'],
    ['Andrei', 'Ceban', 'andrei.ceban'],
    ['Elena', 'Lungu', 'elena.lungu'],
    ['Mihai', 'Munteanu', 'mihai.munteanu'],
    ['Ana', 'Ciobanu', 'ana.ciobanu'],
    ['Vasile', 'Rotari', 'vasile.rotari'],
    ['Cristina', 'Cojocaru', 'cristina.cojocaru'],
  ],
  ru: [
    ['Алексей', 'Иванов', 'alexei.ivanov'],
    ['Ольга', 'Смирнова', 'olga.smirnova'],
    ['Дмитрий', 'Козлов', 'dmitri.kozlov'],
    ['Наталья', 'Морозова', 'natalia.morozova'],
    ['Сергей', 'Волков', 'serghei.volkov'],
    ['Ирина', 'Лебедева', 'irina.lebedeva'],
    ['Павел', 'Новиков', 'pavel.novikov'],
    ['Татьяна', 'Соколова', 'tatiana.sokolova'],
  ],
  en: [
    ['Emma', 'Walsh', 'emma.walsh'],
    ['James', 'Carter', 'james.carter'],
    ['Olivia', 'Hughes', 'olivia.hughes'],
    ['Noah', 'Bennett', 'noah.bennett'],
  ],
};

const ZONES = {
  ro: ['Europe/Chisinau', 'Europe/Bucharest'],
  ru: ['Europe/Moscow', 'Europe/Chisinau'],
  en: ['Europe/London', 'Europe/Dublin'],
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How many contacts; the first EARLY_COHORT sign up at day 0, the others ten days later. */
export const CONTACTS = 48;
const EARLY_COHORT = 30;

/** The simulated span: the first cohort's whole calendar (day 21 and its lateness), the second one's first fortnight. */
export const STORY_DAYS = 24;

export function sampleContacts() {
  const locales = ['ro', 'ru', 'ro', 'en', 'ru', 'ro'];
  return Array.from({ length: CONTACTS }, (_, index) => {
    const locale = locales[index % locales.length];
    const people = PEOPLE[locale];
    const [firstName, lastName, handle] = people[Math.floor(index / locales.length) % people.length];
    return {
      email: `${handle}.${index + 1}@example.md`,
      firstName,
      lastName,
      locale,
      timezone: ZONES[locale][index % 2],
      attributes: {
        // Three said no to marketing e-mail: the sequence's audience leaves them out.
        marketing: index % 16 !== 7,
        plan: index % 3 === 0 ? 'free' : 'pro',
        priceSensitive: index % 5 === 0,
        source: 'demo',
      },
    };
  });
}

/**
 * The events, in time order, with day 0 at `dayZero`: the early cohort signs up over the hours before it, the late
 * one ten days after; about a third of them buy the course after some of the e-mails. With `withFuture: false`
 * (no test clock to move) only what has happened by `dayZero` is told: the early cohort's signups.
 */
export function sampleStory(contacts, dayZero, { withFuture }) {
  const events = [];
  contacts.forEach((contact, index) => {
    const early = index < EARLY_COHORT;
    const signup = early
      ? dayZero - (EARLY_COHORT - index) * 6 * 60_000
      : dayZero + 10 * DAY + (index - EARLY_COHORT) * 40 * 60_000;
    events.push({ email: contact.email, name: 'webinar_signup', at: signup, key: `demo-signup-${index + 1}` });
    // After the day-4 questions e-mail, after the day-7 discount, after the day-14 quiz: the funnel's drops.
    const buysAfterDays = index % 4 === 1 ? 5 : index % 7 === 3 ? 8 : index % 10 === 6 ? 15 : undefined;
    if (buysAfterDays !== undefined) {
      events.push({
        email: contact.email,
        name: 'course_purchased',
        at: signup + buysAfterDays * DAY + (index % 5) * HOUR,
        key: `demo-purchase-${index + 1}`,
        properties: { course: 'ai-basics', price: buysAfterDays > 6 ? 90 : 100 },
      });
    }
  });
  return events
    .filter((event) => withFuture || event.at <= dayZero)
    .sort((a, b) => a.at - b.at)
    .map(({ at, key, ...event }) => ({ ...event, occurredAt: new Date(at).toISOString(), idempotencyKey: key }));
}

export const STORY_STEP_MS = 3 * HOUR;
export const STORY_SPAN_MS = STORY_DAYS * DAY;
