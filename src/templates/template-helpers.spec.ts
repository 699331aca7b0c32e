import Handlebars from 'handlebars';
import { registerTemplateHelpers } from './template-helpers.js';

const hb = Handlebars.create();
registerTemplateHelpers(hb);
const render = (source: string, context: object) => hb.compile(source)(context);
const at = '2026-11-24T23:30:00Z'; // already the 25th east of UTC

describe('formatDate', () => {
  it("writes the date in the contact's time zone, UTC without one", () => {
    expect(render('{{formatDate d "long"}}', { d: at, locale: 'en', timezone: 'Europe/Chisinau' })).toBe(
      'November 25, 2026',
    );
    expect(render('{{formatDate d "long"}}', { d: at, locale: 'en' })).toBe('November 24, 2026');
  });

  it("uses the contact's locale when it speaks the email's language, else the email's", () => {
    const context = (contact: string | null, email: string) => ({
      d: at,
      locale: email,
      timezone: 'UTC',
      contact: { locale: contact },
    });
    expect(render('{{formatDate d "long"}}', context('en-GB', 'en'))).toBe('24 November 2026');
    expect(render('{{formatDate d "long"}}', context('de', 'en'))).toBe('November 24, 2026');
    expect(render('{{formatDate d "long"}}', context(null, 'ro'))).toBe('24 noiembrie 2026');
    expect(render('{{formatNumber n}}', { ...context('en-IN', 'en'), n: 1234567 })).toBe('12,34,567');
  });

  it('adds the time with time=, takes locale= and timezone= overrides, and ignores what is not a date', () => {
    const context = { d: at, locale: 'en', timezone: 'Europe/Chisinau' };
    expect(render('{{formatDate d "short" time="short"}}', context)).toBe('11/25/26, 1:30 AM');
    expect(render('{{formatDate d "long" locale="ro" timezone="UTC"}}', context)).toBe('24 noiembrie 2026');
    expect(render('[{{formatDate nothing}}] [{{formatDate "soon"}}]', context)).toBe('[] []');
    // An unknown zone given by hand falls back to English in UTC rather than failing the send.
    expect(render('{{formatDate d "long" timezone="Mars/Olympus"}}', context)).toBe('November 24, 2026');
  });
});
