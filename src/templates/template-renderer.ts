import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { compile as compileHtmlToText } from 'html-to-text';

/** The shared layout and partials live in `templates/` at the project root (two levels above this file in src/ and dist/). */
export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

/**
 * Compiled once: html-to-text's per-call option handling costs more than the conversion itself. Headings keep
 * their case: upper-casing would apply to a contact's name in a heading only when the text part is converted
 * per message, not when it is derived from the template (see deriveTextTemplate).
 */
export const htmlToText = compileHtmlToText({
  wordwrap: 78,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
});

/** Handlebars statements in a source: comments, triple-stash, and ordinary mustaches (blocks included). */
const MUSTACHE = /\{\{!--[\s\S]*?--\}\}|\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\}/g;
/** Opens, continues or closes a block: these must all survive the conversion, in order. */
const BLOCK_STATEMENT = /^\{\{~?\s*(?:[#^/]|else\b)/;
const PLAIN_PARTIAL = /^\{\{~?>\s*([A-Za-z0-9_-]+)\s*~?\}\}$/;
/** Stands for the i-th statement while the HTML becomes text: no letters to upper-case, no spaces to wrap at. */
const token = (index: number) => `\u27e6${index}\u27e7`;
const TOKEN = /\u27e6(\d+)\u27e7/g;

const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing'];

export interface VariantSource {
  subject: string;
  html: string;
  text?: string | null;
}

export interface RenderContext {
  contact: {
    firstName: string | null;
    lastName: string | null;
    email: string;
    locale: string | null;
    attributes: Record<string, unknown>;
  };
  sequence: { name: string };
  step: { dayOffset: number; key?: string };
  unsubscribeUrl: string;
  locale: string;
  [extra: string]: unknown;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface CompiledVariant {
  render(context: RenderContext): RenderedEmail;
  /** Where the text part comes from: the variant's own text, derived from the HTML once, or converted per message. */
  readonly textSource: 'template' | 'derived' | 'converted';
}

/** A template that does not compile, with each problem named by its field. */
export class TemplateCompileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

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
 * Handlebars with our helpers, layout and partials. Templates compile with `knownHelpersOnly`, so an
 * unknown helper is refused when the template is saved, not discovered at send time; unknown partials are
 * found by walking the parsed template. HTML is escaped; subjects and text are plain text.
 */
@Injectable()
export class TemplateRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly knownHelpers: Record<string, boolean>;
  private readonly layoutSource: string;
  /** Sources of the partials: Handlebars replaces a registered source with its compiled form on first use. */
  private readonly partialSources = new Map<string, string>();
  private readonly layout: Handlebars.TemplateDelegate;

  constructor() {
    this.registerHelpers();
    const partialsDir = path.join(TEMPLATES_DIR, 'partials');
    for (const file of readdirSync(partialsDir).filter((name) => name.endsWith('.hbs'))) {
      const source = readFileSync(path.join(partialsDir, file), 'utf8');
      this.partialSources.set(path.basename(file, '.hbs'), source);
      this.handlebars.registerPartial(path.basename(file, '.hbs'), source);
    }
    this.knownHelpers = Object.fromEntries(
      [...BUILTIN_HELPERS, ...Object.keys(this.handlebars.helpers)].map((name) => [name, true]),
    );
    this.layoutSource = readFileSync(path.join(TEMPLATES_DIR, 'layouts', 'default.hbs'), 'utf8');
    this.layout = this.handlebars.compile(this.layoutSource);
  }

  /** Compiles a variant or throws TemplateCompileError naming `prefix.subject|html|text`. */
  compile(source: VariantSource, prefix = ''): CompiledVariant {
    const problems: string[] = [];
    const compileOne = (field: 'subject' | 'html' | 'text', text: string, escape: boolean) => {
      try {
        this.checkSource(text);
        return this.compileNow(text, escape);
      } catch (error) {
        problems.push(`${prefix}${field}: ${(error as Error).message.split('\n')[0]}`);
        return undefined;
      }
    };
    const subject = compileOne('subject', source.subject, false);
    const html = compileOne('html', source.html, true);
    const text = source.text ? compileOne('text', source.text, false) : undefined;
    if (problems.length > 0 || !subject || !html) throw new TemplateCompileError(problems);
    const derivedText = text ? undefined : this.deriveTextTemplate(source.html);

    return {
      textSource: text ? 'template' : derivedText ? 'derived' : 'converted',
      render: (context) => {
        // A rendered subject is one header line: line breaks could otherwise inject headers.
        const renderedSubject = subject(context)
          .replace(/[\r\n]+/g, ' ')
          .trim();
        const body = html(context);
        const fullHtml = this.layout({ ...context, subject: renderedSubject, body });
        const renderedText = text
          ? text(context)
          : derivedText
            ? derivedText({ ...context, subject: renderedSubject })
                .replace(/[ \t]+\n/g, '\n')
                .replace(/\n{3,}/g, '\n\n')
                .trim()
            : htmlToText(fullHtml);
        return { subject: renderedSubject, html: fullHtml, text: renderedText };
      },
    };
  }

  /**
   * The text part as a template of its own, converted from the layout and the HTML once at compile time
   * instead of from every rendered message (html-to-text was a fifth of the scheduler thread's busy time).
   * Each Handlebars statement stands in as a token while html-to-text converts, then comes back. When that
   * cannot be trusted (raw HTML output, partials with arguments, a block statement lost or reordered by the
   * conversion, as inside a list), undefined: the text is then converted per message.
   */
  private deriveTextTemplate(htmlSource: string): Handlebars.TemplateDelegate | undefined {
    const statements: string[] = [];
    const expand = (source: string, depth: number, body?: string): string =>
      source.replace(MUSTACHE, (statement) => {
        if (statement.startsWith('{{!')) return '';
        if (body !== undefined && /^\{\{\{\s*body\s*\}\}\}$/.test(statement)) return expand(body, depth + 1);
        const partial = PLAIN_PARTIAL.exec(statement);
        if (partial) {
          const partialSource = this.partialSources.get(partial[1]);
          if (partialSource === undefined || depth > 5) throw new Error('unsupported partial');
          return expand(partialSource, depth + 1);
        }
        if (/^\{\{~?\s*[{&>]/.test(statement)) throw new Error('raw output or partial with arguments');
        statements.push(statement);
        return token(statements.length - 1);
      });
    try {
      if (/\\\{\{|\{\{\{\{/.test(htmlSource)) return undefined; // escaped or raw blocks: keep it simple
      if (htmlSource.includes('\u27e6')) return undefined; // the source itself holds what looks like a token
      // An ordered list numbers its items once, when converted: items repeated by a block would share a number.
      if (/<ol\b/i.test(htmlSource) && /\{\{~?\s*[#^]/.test(htmlSource)) return undefined;
      const converted = htmlToText(expand(this.layoutSource, 0, htmlSource));
      if (/\{\{|\}\}/.test(converted.replace(TOKEN, ''))) return undefined; // entities that decode to {{ }}
      let previous = -1;
      const seen = new Set<number>();
      for (const match of converted.matchAll(TOKEN)) {
        const index = Number(match[1]);
        if (index <= previous) return undefined;
        previous = index;
        seen.add(index);
      }
      if (statements.some((statement, index) => BLOCK_STATEMENT.test(statement) && !seen.has(index))) {
        return undefined;
      }
      return this.compileNow(
        converted.replace(TOKEN, (_, index: string) => statements[Number(index)]),
        false,
      );
    } catch {
      return undefined;
    }
  }

  /** Compiles with our helpers only; throws on a syntax error now rather than at the first render. */
  private compileNow(source: string, escape: boolean): Handlebars.TemplateDelegate {
    const template = this.handlebars.compile(source, {
      knownHelpers: this.knownHelpers,
      knownHelpersOnly: true,
      noEscape: !escape,
    });
    // compile() is lazy: force it now so syntax errors surface at save time.
    this.handlebars.precompile(source, { knownHelpers: this.knownHelpers, knownHelpersOnly: true });
    return template;
  }

  /** Partials are resolved at render time by Handlebars; refuse unknown ones now. */
  private checkSource(source: string): void {
    const ast = this.handlebars.parse(source);
    const missing = new Set<string>();
    const visit = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (record.type === 'PartialStatement' || record.type === 'PartialBlockStatement') {
        const name = record.name as { type: string; original?: unknown };
        if (name.type === 'PathExpression' || name.type === 'StringLiteral') {
          const partial = String(name.original);
          if (!(partial in this.handlebars.partials)) missing.add(partial);
        } else {
          throw new Error('dynamic partial names are not allowed');
        }
      }
      for (const value of Object.values(record)) {
        if (Array.isArray(value)) value.forEach(visit);
        else if (typeof value === 'object') visit(value);
      }
    };
    visit(ast);
    if (missing.size > 0) throw new Error(`unknown partial ${[...missing].map((name) => `"${name}"`).join(', ')}`);
  }

  private registerHelpers(): void {
    const hb = this.handlebars;
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
        return cachedFormatter(`date|en|${dateStyle}|`, () => new Intl.DateTimeFormat('en', { dateStyle })).format(
          date,
        );
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
}
