import { Parser } from 'htmlparser2';

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
  const links: AnchorLink[] = [];
  let inAnchor = false;
  let seenHref = false;
  const parser = new Parser(
    {
      onopentagname(name) {
        inAnchor = name === 'a';
        seenHref = false;
      },
      onattribute(name, value, quote) {
        if (!inAnchor || name !== 'href' || seenHref) return;
        seenHref = true;
        if (quote === undefined) return; // `<a href>`: no value
        links.push({ url: decodeAttribute(value, quote), start: parser.startIndex, end: parser.endIndex });
      },
    },
    { decodeEntities: false },
  );
  parser.end(html);
  return links;
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

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

let lastDecoded = '';
/** Reused: decoding runs for every link with an entity, and a parser costs more to build than to run. */
const decoder = new Parser({ onattribute: (_name, value) => (lastDecoded = value) }, { decodeEntities: true });

/** A raw attribute value decoded as the HTML standard decodes attributes (htmlparser2's own decoder). */
function decodeAttribute(raw: string, quote: string | null): string {
  let decoded = raw;
  if (raw.includes('&')) {
    const q = quote ?? '"';
    const source = quote === null ? `<a href=${raw}>` : `<a href=${q}${raw}${q}>`;
    decoder.reset();
    decoder.end(source);
    decoded = lastDecoded;
  }
  // Browsers strip leading and trailing ASCII whitespace from a URL, and tabs and newlines anywhere in it.
  return decoded.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').replace(/[\t\n\r]/g, '');
}
