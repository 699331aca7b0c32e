import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jest } from '@jest/globals';
import Handlebars from 'handlebars';
import { RenderBudgetError } from './render-budget.js';
import { registerTemplateHelpers } from './template-helpers.js';
import { type RenderContext, TEMPLATES_DIR, TemplateCompileError, TemplateRenderer } from './template-renderer.js';

const renderer = new TemplateRenderer();

function context(attributes: Record<string, unknown>): RenderContext {
  return {
    contact: { firstName: 'Ana', lastName: null, email: 'ana@example.md', locale: 'en', attributes },
    sequence: { name: 'Onboarding' },
    step: { dayOffset: 0 },
    unsubscribeUrl: 'https://touchpoint.example/u/token',
    locale: 'en',
  };
}

const render = (html: string, attributes: Record<string, unknown>, text?: string) =>
  renderer.compile({ subject: 'Hi {{contact.firstName}}', html, text }).render(context(attributes));

describe('rendering under a budget', () => {
  it('stops a template whose loops grow with the contact’s data, with a clear error', () => {
    const a = Array.from({ length: 7_000 }, (_, i) => i);
    const html = '{{#each contact.attributes.a}}{{#each @root.contact.attributes.a}}x{{/each}}{{/each}}';
    expect(() => render(html, { a })).toThrow(RenderBudgetError);
    expect(() => render(html, { a })).toThrow(/rendering stopped after 100,000 steps/);
    // The same loops through Handlebars' implicit iteration of arrays and in the text part.
    expect(() =>
      render(
        '{{#contact.attributes.a}}{{#@root.contact.attributes.a}}x{{/@root.contact.attributes.a}}{{/contact.attributes.a}}',
        { a },
      ),
    ).toThrow(RenderBudgetError);
    expect(() =>
      render('<p>x</p>', { a }, '{{#each contact.attributes.a}}{{#each ../contact.attributes.a}}x{{/each}}{{/each}}'),
    ).toThrow(RenderBudgetError);
  });

  it('stops output that grows with the contact’s data, written by values or repeated by loops', () => {
    const big = '<'.repeat(16_000); // escaped: 64,000 characters each time
    expect(() => render('{{contact.attributes.big}}'.repeat(40), { big })).toThrow(
      /rendering stopped at 1,048,576 characters/,
    );
    expect(() => render('{{> button url=contact.attributes.big label="x"}}'.repeat(40), { big })).toThrow(
      RenderBudgetError,
    );
    const a = Array.from({ length: 5_000 }, (_, i) => i);
    expect(() => render(`{{#each contact.attributes.a}}${'<p>static text</p>'.repeat(20)}{{/each}}`, { a })).toThrow(
      RenderBudgetError,
    );
  });

  it('renders a large real email well within the budget, and the next render starts afresh', () => {
    const products = Array.from({ length: 300 }, (_, i) => ({ name: `Course ${i}`, price: 100 + i, tags: ['a', 'b'] }));
    const html =
      '{{#each contact.attributes.products}}<h2>{{@index}}. {{name}}</h2><p>{{formatNumber price}} {{uppercase ../contact.firstName}}</p>' +
      '{{#each tags}}<i>{{this}}</i>{{/each}}{{#if (eq price 150)}}<b>deal</b>{{/if}}{{/each}}';
    for (let i = 0; i < 3; i++) expect(render(html, { products }).html).toContain('299. Course 299');
  });

  it('writes exactly what Handlebars alone writes', () => {
    const plain = Handlebars.create();
    registerTemplateHelpers(plain);
    plain.registerPartial('button', readFileSync(path.join(TEMPLATES_DIR, 'partials', 'button.hbs'), 'utf8'));
    const attributes = { plan: 'pro & <co>', list: ['x<', 'y'], obj: { k: 'v"' }, n: 0, no: false, nil: null };
    const templates = [
      '{{contact.firstName}} {{contact.attributes.plan}} {{{contact.attributes.plan}}} {{&contact.attributes.plan}}',
      '{{"contact"}} {{contact.attributes.n}} {{contact.attributes.no}} [{{contact.attributes.nil}}] {{contact.attributes.list}}',
      '{{#each contact.attributes.list}}{{@index}}:{{this}},{{/each}}{{#each contact.attributes.obj}}{{@key}}={{.}}{{/each}}',
      '{{#each contact.attributes.list as |item i|}}{{i}}{{item}}{{/each}}{{#with contact}}{{firstName}}{{/with}}',
      '{{default contact.lastName "friend"}} {{lookup contact.attributes "plan"}} {{uppercase contact.firstName}} {{eq 1 1}}',
      '{{#if contact.attributes.no}}yes{{else}}no{{/if}} {{#unless contact.attributes.n}}zero{{/unless}}',
      '{{> button url="https://a.example/?a=1&b=2" label=contact.attributes.plan}}',
      '  {{#each contact.attributes.list}}\n  <li>{{this}}</li>\n  {{/each}}\n{{~contact.firstName~}}  !',
    ];
    for (const source of templates) {
      const ctx = context(attributes);
      const ours = renderer.compile({ subject: source.replace(/\{\{>[^}]*\}\}/g, ''), html: source }).render(ctx);
      expect(ours.html).toContain(plain.compile(source)(ctx));
      expect(ours.subject).toBe(
        plain
          .compile(source.replace(/\{\{>[^}]*\}\}/g, ''), { noEscape: true })(ctx)
          .replace(/[\r\n]+/g, ' ')
          .trim(),
      );
    }
  });

  it('refuses the log helper when the template is saved', () => {
    for (const html of [
      '<p>{{log "x"}}</p>',
      '{{log contact.email level="error"}}',
      '{{#if (log 1)}}{{/if}}',
      '{{log}}',
    ]) {
      expect(() => renderer.compile({ subject: 'x', html })).toThrow(TemplateCompileError);
      expect(() => renderer.compile({ subject: 'x', html })).toThrow(/html: the log helper is not available/);
    }
    expect(() => renderer.compile({ subject: '{{log "x"}}', html: 'x' })).toThrow(/subject: the log helper/);
  });

  it('never writes to the console, even for a prototype property a template reaches for', () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
      jest.spyOn(console, method).mockImplementation(() => undefined),
    );
    try {
      render('{{lookup contact.attributes contact.attributes.key}}{{contact.attributes.valueOf}}', { key: 'toString' });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  });
});
