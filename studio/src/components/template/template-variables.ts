import type { MessageKey } from '../../i18n/en';

/**
 * Every variable and helper a template can use (README, "Templates: variables and helpers"), as data: what the
 * editor inserts, and the dictionary key of what it is. Kept in step with src/templates/template-renderer.ts and
 * template-helpers.ts by hand: a new variable there is a new line here.
 */
export interface TemplateSymbol {
  /** What the list shows (a variable's path or a helper's call shape). */
  name: string;
  /** What one click inserts at the cursor. */
  snippet: string;
  description: MessageKey;
}

export const TEMPLATE_VARIABLES: TemplateSymbol[] = [
  {
    name: 'contact.firstName',
    snippet: '{{default contact.firstName "friend"}}',
    description: 'templates.var.firstName',
  },
  { name: 'contact.lastName', snippet: '{{contact.lastName}}', description: 'templates.var.lastName' },
  { name: 'contact.email', snippet: '{{contact.email}}', description: 'templates.var.email' },
  { name: 'contact.locale', snippet: '{{contact.locale}}', description: 'templates.var.contactLocale' },
  { name: 'contact.attributes.*', snippet: '{{contact.attributes.plan}}', description: 'templates.var.attributes' },
  { name: 'sequence.name', snippet: '{{sequence.name}}', description: 'templates.var.sequence' },
  { name: 'step.dayOffset', snippet: '{{step.dayOffset}}', description: 'templates.var.dayOffset' },
  { name: 'step.key', snippet: '{{step.key}}', description: 'templates.var.stepKey' },
  {
    name: 'unsubscribeUrl',
    snippet: '<a href="{{unsubscribeUrl}}">Unsubscribe</a>',
    description: 'templates.var.unsubscribe',
  },
  { name: 'event.name', snippet: '{{event.name}}', description: 'templates.var.eventName' },
  { name: 'event.properties.*', snippet: '{{event.properties.course}}', description: 'templates.var.eventProperties' },
  {
    name: 'enrollment.startAt',
    snippet: '{{formatDate enrollment.startAt "long"}}',
    description: 'templates.var.startAt',
  },
  { name: 'locale', snippet: '{{locale}}', description: 'templates.var.locale' },
  { name: 'timezone', snippet: '{{timezone}}', description: 'templates.var.timezone' },
  { name: 'now', snippet: '{{formatDate now "long"}}', description: 'templates.var.now' },
];

export const TEMPLATE_HELPERS: TemplateSymbol[] = [
  {
    name: 'default value fallback',
    snippet: '{{default contact.firstName "friend"}}',
    description: 'templates.helper.default',
  },
  {
    name: 'formatDate date [style] [time=style]',
    snippet: '{{formatDate event.properties.lessonAt "long" time="short"}}',
    description: 'templates.helper.formatDate',
  },
  {
    name: 'formatNumber n',
    snippet: '{{formatNumber contact.attributes.points}}',
    description: 'templates.helper.formatNumber',
  },
  {
    name: 'uppercase, lowercase, capitalize',
    snippet: '{{capitalize contact.firstName}}',
    description: 'templates.helper.case',
  },
  {
    name: 'eq a b, ne a b',
    snippet: '{{#if (eq contact.attributes.plan "pro")}}Pro{{else}}Free{{/if}}',
    description: 'templates.helper.eq',
  },
  {
    name: 'if, unless, each, with',
    snippet: '{{#if contact.firstName}}…{{/if}}',
    description: 'templates.helper.blocks',
  },
  {
    name: '> button',
    snippet: '{{> button url="https://school.example/start" label="Start"}}',
    description: 'templates.helper.button',
  },
  { name: '{{{raw}}}', snippet: '{{{contact.attributes.signature}}}', description: 'templates.helper.raw' },
];
