import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { meterOutput } from './metered-ast.js';
import { checkOutputLength, meterHelpers, startPart, withRenderBudget } from './render-budget.js';
import { registerTemplateHelpers } from './template-helpers.js';
import { deriveTextTemplate, htmlToText } from './text-derivation.js';

export { htmlToText } from './text-derivation.js';

/** The shared layout and partials live in `templates/` at the project root (two levels above this file in src/ and dist/). */
export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

/** The name a partial is registered under for plain-text templates (no template can name it: see checkSource). */
const textPartial = (name: string) => `${name}\u0000text`;

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
  /** The locale of the variant rendered (the email's language). */
  locale: string;
  /** The contact's IANA zone (formatDate writes in it; UTC when absent). */
  timezone?: string;
  /** The event that started the enrollment; `{}` when a marketer or a segment enrolled the contact. */
  event?: TemplateEvent | Record<string, never>;
  /** The enrollment's day 0, ISO 8601. */
  enrollment?: { startAt: string };
  [extra: string]: unknown;
}

export interface TemplateEvent {
  name: string;
  properties: Record<string, unknown>;
}

/** `event` as templates see it: the enrolling event's name and properties, or `{}` when no event enrolled. */
export function eventVariables(event: TemplateEvent | null | undefined): RenderContext['event'] {
  return event ? { name: event.name, properties: event.properties } : {};
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
  /** Characters of source compiled (the variant's fields and a derived text part): a cache weighs it by this. */
  readonly sourceLength: number;
}

/** A template that does not compile, with each problem named by its field. */
export class TemplateCompileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/**
 * Handlebars with our helpers, layout and partials. Templates compile with `knownHelpersOnly`, so an
 * unknown helper is refused when the template is saved, not discovered at send time; unknown partials are
 * found by walking the parsed template. HTML is escaped; subjects and text are plain text. Every render runs
 * under a budget (render-budget.ts): its cost depends on the contact's data, known only at send time.
 */
@Injectable()
export class TemplateRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly knownHelpers: Record<string, boolean>;
  private readonly layoutSource: string;
  private readonly partialSources = new Map<string, string>();
  private readonly layout: Handlebars.TemplateDelegate;

  constructor() {
    const hb = this.handlebars;
    registerTemplateHelpers(hb);
    hb.unregisterHelper('log');
    // Handlebars' own warnings (a template reaching for a prototype property) would write what a template
    // and a contact's data choose into our logs: its logger is silenced (a level above every level it has).
    hb.logger.level = 4;
    meterHelpers(hb);
    this.knownHelpers = Object.fromEntries(Object.keys(hb.helpers).map((name) => [name, true]));
    const partialsDir = path.join(TEMPLATES_DIR, 'partials');
    for (const file of readdirSync(partialsDir).filter((name) => name.endsWith('.hbs'))) {
      this.partialSources.set(path.basename(file, '.hbs'), readFileSync(path.join(partialsDir, file), 'utf8'));
    }
    // Compiled once here, metered like templates, rather than by Handlebars for every template that calls them.
    for (const [name, source] of this.partialSources) {
      hb.registerPartial(name, this.compileNow(source, true));
      hb.registerPartial(textPartial(name), this.compileNow(source, false));
    }
    this.layoutSource = readFileSync(path.join(TEMPLATES_DIR, 'layouts', 'default.hbs'), 'utf8');
    // Not metered: the body it wraps was, and the rest of it is ours.
    this.layout = hb.compile(this.layoutSource, { knownHelpers: this.knownHelpers, knownHelpersOnly: true });
  }

  /** Compiles a variant or throws TemplateCompileError naming `prefix.subject|html|text`. */
  compile(source: VariantSource, prefix = ''): CompiledVariant {
    const problems: string[] = [];
    const compileOne = (field: 'subject' | 'html' | 'text', text: string, escape: boolean) => {
      try {
        const ast = this.handlebars.parse(text);
        this.checkSource(ast);
        return this.compileNow(ast, escape);
      } catch (error) {
        problems.push(`${prefix}${field}: ${(error as Error).message.split('\n')[0]}`);
        return undefined;
      }
    };
    const subject = compileOne('subject', source.subject, false);
    const html = compileOne('html', source.html, true);
    const text = source.text ? compileOne('text', source.text, false) : undefined;
    if (problems.length > 0 || !subject || !html) throw new TemplateCompileError(problems);
    let derivedLength = 0;
    const derivedText = text
      ? undefined
      : deriveTextTemplate(source.html, this.layoutSource, this.partialSources, (derived) => {
          derivedLength = derived.length;
          return this.compileNow(derived, false);
        });

    return {
      textSource: text ? 'template' : derivedText ? 'derived' : 'converted',
      sourceLength: source.subject.length + source.html.length + (source.text?.length ?? 0) + derivedLength,
      render: (context) =>
        withRenderBudget(() => {
          // A rendered subject is one header line: line breaks could otherwise inject headers.
          const renderedSubject = subject(context)
            .replace(/[\r\n]+/g, ' ')
            .trim();
          startPart();
          const body = html(context);
          const fullHtml = this.layout({ ...context, subject: renderedSubject, body });
          checkOutputLength(fullHtml);
          startPart();
          const renderedText = text
            ? text(context)
            : derivedText
              ? derivedText({ ...context, subject: renderedSubject })
                  .replace(/[ \t]+\n/g, '\n')
                  .replace(/\n{3,}/g, '\n\n')
                  .trim()
              : htmlToText(fullHtml);
          return { subject: renderedSubject, html: fullHtml, text: renderedText };
        }),
    };
  }

  /**
   * Compiles with our helpers only, every value written metered; compiled now (Handlebars compiles on first
   * use) so that an unknown helper is refused when the template is saved. One parse and one compilation.
   */
  private compileNow(source: string | hbs.AST.Program, escape: boolean): Handlebars.TemplateDelegate {
    const hb = this.handlebars;
    const ast = typeof source === 'string' ? hb.parse(source) : source;
    meterOutput(ast, {
      escape,
      isHelper: (name) => this.knownHelpers[name] === true,
      partialName: escape ? (name) => name : textPartial,
    });
    const template = hb.compile(ast, { knownHelpers: this.knownHelpers, knownHelpersOnly: true, noEscape: !escape });
    // Handlebars' own way to compile without rendering (the runtime calls it before rendering a partial).
    (template as unknown as { _setup(options: object): void })._setup({});
    return template;
  }

  /**
   * Refuses now what would fail or misbehave later: unknown partials (Handlebars resolves them at render
   * time), dynamic partial names, and the `log` helper (Handlebars' own; it writes to our logs).
   */
  private checkSource(ast: hbs.AST.Program): void {
    const missing = new Set<string>();
    const problems: string[] = [];
    const visit = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (record.type === 'PartialStatement' || record.type === 'PartialBlockStatement') {
        const name = record.name as { type: string; original?: unknown };
        if (name.type === 'PathExpression' || name.type === 'StringLiteral') {
          const partial = String(name.original);
          if (!this.partialSources.has(partial)) missing.add(partial);
        } else {
          throw new Error('dynamic partial names are not allowed');
        }
      }
      const callee = record.path as { type?: string; original?: unknown } | undefined;
      if (callee?.type === 'PathExpression' && callee.original === 'log' && record.type !== 'PathExpression') {
        problems.push('the log helper is not available in templates');
      }
      for (const value of Object.values(record)) {
        if (Array.isArray(value)) value.forEach(visit);
        else if (typeof value === 'object') visit(value);
      }
    };
    visit(ast);
    if (problems.length > 0) throw new Error(problems[0]);
    if (missing.size > 0) throw new Error(`unknown partial ${[...missing].map((name) => `"${name}"`).join(', ')}`);
  }
}
