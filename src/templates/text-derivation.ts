import type Handlebars from 'handlebars';
import { compile as compileHtmlToText } from 'html-to-text';

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

/**
 * The text part as a template of its own, converted from the layout and the HTML once at compile time
 * instead of from every rendered message (html-to-text was a fifth of the scheduler thread's busy time).
 * Each Handlebars statement stands in as a token while html-to-text converts, then comes back. When that
 * cannot be trusted (raw HTML output, partials with arguments, a block statement lost or reordered by the
 * conversion, as inside a list), undefined: the text is then converted per message.
 */
export function deriveTextTemplate(
  htmlSource: string,
  layoutSource: string,
  partialSources: ReadonlyMap<string, string>,
  compile: (source: string) => Handlebars.TemplateDelegate,
): Handlebars.TemplateDelegate | undefined {
  const statements: string[] = [];
  const expand = (source: string, depth: number, body?: string): string =>
    source.replace(MUSTACHE, (statement) => {
      if (statement.startsWith('{{!')) return '';
      if (body !== undefined && /^\{\{\{\s*body\s*\}\}\}$/.test(statement)) return expand(body, depth + 1);
      const partial = PLAIN_PARTIAL.exec(statement);
      if (partial) {
        const partialSource = partialSources.get(partial[1]);
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
    const converted = htmlToText(expand(layoutSource, 0, htmlSource));
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
    return compile(converted.replace(TOKEN, (_, index: string) => statements[Number(index)]));
  } catch {
    return undefined;
  }
}
