import type Handlebars from 'handlebars';

function asDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

type HelperOptions = Handlebars.HelperOptions;

const STYLES = ['full', 'long', 'medium', 'short'] as const;
type Style = (typeof STYLES)[number];
const asStyle = (value: unknown): Style | undefined => (STYLES.includes(value as Style) ? (value as Style) : undefined);

/** What the formatting helpers read from the render context (RenderContext). */
interface FormattingRoot {
  locale?: string;
  timezone?: string;
  contact?: { locale?: string | null };
}

/**
 * The locale dates and numbers are written in: the contact's own when it speaks the language of the variant being
 * rendered (`ro-MD` in a `ro` email: Moldovan conventions), else the variant's, so that an English email to a
 * contact whose locale is `de` does not show a German date. Without either: English.
 */
function formattingLocale(root: FormattingRoot | undefined): string {
  const email = root?.locale;
  const contact = root?.contact?.locale;
  if (contact && (!email || contact.split('-')[0].toLowerCase() === email.split('-')[0].toLowerCase())) return contact;
  return email ?? 'en';
}

/**
 * Intl formatters cost ~0.1 ms and ~25 KB of ICU memory each, returned only by a full GC: one per message
 * would dominate a pass. Keyed by their options; bounded, since locales and zones come from contact data.
 */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
const FORMATTER_CACHE_LIMIT = 2_000;

function cachedFormatter<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, create: () => T): T {
  let formatter = formatters.get(key) as T | undefined;
  if (!formatter) {
    formatter = create();
    if (formatters.size >= FORMATTER_CACHE_LIMIT) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * The helpers templates may use besides Handlebars' own (README lists them with examples). Handlebars' `log`
 * is not among them: it would write what a template and a contact's data choose into our logs.
 */
export function registerTemplateHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('default', (value: unknown, fallback: unknown) =>
    value === undefined || value === null || value === '' ? fallback : value,
  );
  // {{formatDate date}}, {{formatDate date "long"}}, {{formatDate date "long" time="short"}}: README lists them.
  hb.registerHelper('formatDate', function (this: unknown, value: unknown, ...rest: unknown[]) {
    const options = rest.pop() as HelperOptions;
    const date = asDate(value);
    if (!date) return '';
    const root = options.data?.root as FormattingRoot | undefined;
    const locale = (options.hash?.locale as string | undefined) ?? formattingLocale(root);
    const timeZone = (options.hash?.timezone as string | undefined) ?? root?.timezone ?? 'UTC';
    const dateStyle = asStyle(rest[0]) ?? 'medium';
    const timeStyle = asStyle(options.hash?.time);
    try {
      return cachedFormatter(
        `date|${locale}|${dateStyle}|${timeStyle ?? ''}|${timeZone}`,
        () => new Intl.DateTimeFormat(locale, { dateStyle, timeStyle, timeZone }),
      ).format(date);
    } catch {
      // A locale or zone Intl does not know (a hash argument; contact data is validated): English, UTC.
      return cachedFormatter(
        `date|en|${dateStyle}|${timeStyle ?? ''}|UTC`,
        () => new Intl.DateTimeFormat('en', { dateStyle, timeStyle, timeZone: 'UTC' }),
      ).format(date);
    }
  });
  hb.registerHelper('formatNumber', (value: unknown, options: HelperOptions) => {
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(number)) return '';
    const root = options.data?.root as FormattingRoot | undefined;
    try {
      const locale = formattingLocale(root);
      return cachedFormatter(`number|${locale}`, () => new Intl.NumberFormat(locale)).format(number);
    } catch {
      return String(number);
    }
  });
  hb.registerHelper('uppercase', (value: unknown) => (value == null ? '' : String(value).toUpperCase()));
  hb.registerHelper('lowercase', (value: unknown) => (value == null ? '' : String(value).toLowerCase()));
  hb.registerHelper('capitalize', (value: unknown) => {
    const text = value == null ? '' : String(value);
    return text.charAt(0).toUpperCase() + text.slice(1);
  });
  hb.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  hb.registerHelper('ne', (left: unknown, right: unknown) => left !== right);
}
