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
  // {{formatDate date}} / {{formatDate date "long"}}: in the contact's locale and, when known, time zone.
  hb.registerHelper('formatDate', function (this: unknown, value: unknown, ...rest: unknown[]) {
    const options = rest.pop() as HelperOptions;
    const style = typeof rest[0] === 'string' ? rest[0] : 'medium';
    const date = asDate(value);
    if (!date) return '';
    const root = options.data?.root as { locale?: string; timezone?: string } | undefined;
    const locale = (options.hash?.locale as string | undefined) ?? root?.locale ?? 'en';
    const timeZone = (options.hash?.timezone as string | undefined) ?? root?.timezone;
    const dateStyle = ['full', 'long', 'medium', 'short'].includes(style) ? (style as 'full') : 'medium';
    try {
      return cachedFormatter(
        `date|${locale}|${dateStyle}|${timeZone ?? ''}`,
        () => new Intl.DateTimeFormat(locale, { dateStyle, timeZone }),
      ).format(date);
    } catch {
      return cachedFormatter(`date|en|${dateStyle}|`, () => new Intl.DateTimeFormat('en', { dateStyle })).format(date);
    }
  });
  hb.registerHelper('formatNumber', (value: unknown, options: HelperOptions) => {
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(number)) return '';
    const root = options.data?.root as { locale?: string } | undefined;
    try {
      const locale = root?.locale ?? 'en';
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
