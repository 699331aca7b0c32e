import { Parser, QuoteType, Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

/** An anchor's `href` as a reader's mail client reads it, and where its attribute sits in the HTML. */
export interface AnchorLink {
  /** The URL: entities decoded (`&amp;`, `&#x3D;`…) and surrounding spaces removed, as a browser follows it. */
  url: string;
  /** The whole attribute (`href="…"`, however quoted) in the source: [start, end). */
  start: number;
  end: number;
}

/** Links a click can be tracked on: http(s) only, never mailto:, tel:, in-page anchors or relative links. */
export const isWebLink = (url: string): boolean => /^https?:\/\//i.test(url);

/**
 * The `href` of every `<a>` in the HTML, found by a real HTML tokenizer (htmlparser2), so quoting, case,
 * attribute order, comments, `<script>` and `<style>` are read as a mail client reads them; the first `href`
 * of a tag counts, as in browsers. Entities are decoded only in the hrefs (the tokenizer then skips the text
 * quickly): this runs on every message sent, once, in time linear in its length.
 */
export function findAnchorLinks(html: string): AnchorLink[] {
  if (!/<a[\s/>]/i.test(html)) return [];
  scan.html = html;
  scan.links = [];
  scanner.reset();
  scanner.write(html);
  scanner.end();
  const links = scan.links;
  scan.html = '';
  scan.links = [];
  return links;
}

/** The scan in progress: rendering and tracking are synchronous, so one scanner serves every message. */
const scan = {
  html: '',
  links: [] as AnchorLink[],
  inAnchor: false,
  seenHref: false,
  inHref: false,
  start: 0,
  value: '',
};

/** The tokenizer alone (no tree, no tag stack): it still knows comments, <script>, <style> and the like. */
const scanner = new Tokenizer(
  { xmlMode: false, decodeEntities: false },
  {
    ...ignoreAll(),
    onopentagname(from, to) {
      scan.inAnchor = to - from === 1 && (scan.html.charCodeAt(from) | 0x20) === 0x61; // a or A
      scan.seenHref = false;
    },
    onattribname(from, to) {
      scan.inHref =
        scan.inAnchor && !scan.seenHref && to - from === 4 && scan.html.slice(from, to).toLowerCase() === 'href';
      scan.start = from;
      scan.value = '';
    },
    onattribdata(from, to) {
      if (scan.inHref) scan.value += scan.html.slice(from, to);
    },
    onattribend(quote, end) {
      if (!scan.inHref) return;
      scan.inHref = false;
      scan.seenHref = true; // the first href of a tag is the one browsers follow
      if (quote !== QuoteType.NoValue)
        scan.links.push({ url: decodeAttribute(scan.value, quote), start: scan.start, end });
    },
  },
);

function ignoreAll(): TokenizerCallbacks {
  const ignore = () => undefined;
  return {
    onattribdata: ignore,
    onattribentity: ignore,
    onattribend: ignore,
    onattribname: ignore,
    oncdata: ignore,
    onclosetag: ignore,
    oncomment: ignore,
    ondeclaration: ignore,
    onend: ignore,
    onopentagend: ignore,
    onopentagname: ignore,
    onprocessinginstruction: ignore,
    onselfclosingtag: ignore,
    ontext: ignore,
    ontextentity: ignore,
  };
}

/**
 * The HTML with some anchors' hrefs replaced: `replace` returns the new URL, or undefined to leave a link
 * exactly as it was. Only the replaced attributes are re-serialised; every other byte stays as it was.
 */
export function rewriteAnchorLinks(html: string, replace: (url: string) => string | undefined): string {
  let result = '';
  let copied = 0;
  for (const link of findAnchorLinks(html)) {
    const url = replace(link.url);
    if (url === undefined) continue;
    result += `${html.slice(copied, link.start)}href="${escapeAttribute(url)}"`;
    copied = link.end;
  }
  return copied === 0 ? html : result + html.slice(copied);
}

const escapeAttribute = (value: string) =>
  /[&"]/.test(value) ? value.replace(/&/g, '&amp;').replace(/"/g, '&quot;') : value;

let lastDecoded = '';
/** Reused: decoding runs for every link with an entity, and a parser costs more to build than to run. */
const decoder = new Parser({ onattribute: (_name, value) => (lastDecoded = value) }, { decodeEntities: true });

/** A raw attribute value decoded as the HTML standard decodes attributes (htmlparser2's own decoder). */
function decodeAttribute(raw: string, quote: QuoteType): string {
  // `&amp;` alone is the usual case (Handlebars writes it for every `&`): decoded without a parser.
  let decoded = raw.includes('&') ? raw.replace(/&amp;/g, '&') : raw;
  if (/&(?!amp;)/.test(raw)) {
    const q = quote === QuoteType.Single ? "'" : '"';
    const source = quote === QuoteType.Unquoted ? `<a href=${raw}>` : `<a href=${q}${raw}${q}>`;
    decoder.reset();
    decoder.end(source);
    decoded = lastDecoded;
  }
  // Browsers strip leading and trailing ASCII whitespace from a URL, and tabs and newlines anywhere in it.
  return decoded.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').replace(/[\t\n\r]/g, '');
}
