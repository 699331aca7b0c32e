import { htmlToText, type RenderContext, TemplateRenderer } from './template-renderer.js';

const renderer = new TemplateRenderer();

function context(overrides: Partial<RenderContext['contact']> = {}, locale = 'en'): RenderContext {
  return {
    contact: {
      firstName: 'Ана',
      lastName: null,
      email: 'ana@example.md',
      locale,
      attributes: { plan: 'pro', items: ['one', 'two'], visits: 3 },
      ...overrides,
    },
    sequence: { name: 'Onboarding' },
    step: { dayOffset: 7, key: 'd7' },
    unsubscribeUrl: 'https://touchpoint.example/u/token',
    locale,
    timezone: 'Europe/Chisinau',
    now: new Date('2026-11-24T10:00:00Z'),
  };
}

/** Wrapping differs (the derived template wraps around placeholders), the words and their order may not. */
const words = (text: string) => text.replace(/\s+/g, ' ').trim();

const TEMPLATES: Record<string, string> = {
  greeting:
    '<h1>Hello {{default contact.firstName "friend"}}</h1><p>Your plan: <b>{{contact.attributes.plan}}</b>.</p>',
  link: '<p>Read <a href="https://example.com/course?x=1&amp;y=2">the course</a>, {{contact.email}}.</p>',
  'link with a variable': '<p><a href="https://example.com/{{contact.attributes.plan}}">Your plan</a></p>',
  conditional:
    '{{#if contact.firstName}}<p>Dear {{contact.firstName}},</p>{{else}}<p>Hello,</p>{{/if}}<p>{{formatNumber contact.attributes.visits}} visits</p>',
  'escaped values': '<p>{{contact.firstName}} &amp; co</p>',
  'date helper': '<p>{{formatDate now "long"}}</p>',
  paragraphs: `<p>${'Lorem ipsum dolor sit amet, {{contact.email}} consectetur adipiscing elit. '.repeat(6)}</p>`,
};

describe('text part derived from the HTML at compile time', () => {
  for (const [name, html] of Object.entries(TEMPLATES)) {
    it(`says what per-message conversion says: ${name}`, () => {
      const compiled = renderer.compile({ subject: 'Hi', html });
      expect(compiled.textSource).toBe('derived');
      for (const ctx of [context(), context({ firstName: null }, 'ro'), context({ firstName: 'Ion <b>&</b>' }, 'ru')]) {
        const rendered = compiled.render(ctx);
        expect(words(rendered.text)).toBe(words(htmlToText(rendered.html)));
      }
    });
  }

  it('keeps the footer in the contact’s language with the unsubscribe link', () => {
    const rendered = renderer.compile({ subject: 'Hi', html: '<p>Body</p>' }).render(context({}, 'ro'));
    expect(words(rendered.text)).toContain('Dezabonare [https://touchpoint.example/u/token]');
    expect(rendered.text).not.toContain('Unsubscribe');
  });

  it('repeats list items with the block around them', () => {
    const list = renderer.compile({
      subject: 'Hi',
      html: '<ul>{{#each contact.attributes.items}}<li>{{this}}</li>{{/each}}</ul>',
    });
    expect(list.textSource).toBe('derived');
    expect(list.render(context()).text).toMatch(/^ ?\* one\n \* two\n/);
  });

  it('converts each message when an ordered list holds a block: the numbers depend on the items rendered', () => {
    const list = renderer.compile({
      subject: 'Hi',
      html: '<ol>{{#each contact.attributes.items}}<li>{{this}}</li>{{/each}}</ol>',
    });
    expect(list.textSource).toBe('converted');
    expect(list.render(context()).text).toMatch(/1\. one\n 2\. two/);
  });

  it('converts each message when the conversion would lose a block statement', () => {
    // The statement sits in an attribute html-to-text drops: the derived template would lose the {{#if}}.
    const compiled = renderer.compile({
      subject: 'Hi',
      html: '<p class="{{#if contact.firstName}}named{{/if}}">x</p>',
    });
    expect(compiled.textSource).toBe('converted');
  });

  it('falls back for raw HTML output and partials with arguments', () => {
    expect(renderer.compile({ subject: 'Hi', html: '<p>{{{contact.attributes.plan}}}</p>' }).textSource).toBe(
      'converted',
    );
    expect(
      renderer.compile({ subject: 'Hi', html: '{{> button url="https://example.com" label="Go"}}' }).textSource,
    ).toBe('converted');
  });

  it('converts each message when the HTML holds the placeholder character itself', () => {
    const compiled = renderer.compile({ subject: 'Hi', html: '<p>\u27e60\u27e7 {{contact.email}}</p>' });
    expect(compiled.textSource).toBe('converted');
    expect(compiled.render(context()).text).toContain('\u27e60\u27e7 ana@example.md');
  });

  it('uses the variant’s own text when it has one', () => {
    const compiled = renderer.compile({ subject: 'Hi', html: '<p>x</p>', text: 'Plain {{contact.firstName}}' });
    expect(compiled.textSource).toBe('template');
    expect(compiled.render(context()).text).toBe('Plain Ана');
  });
});
