import { findAnchorLinks, rewriteAnchorLinks } from './html-links.js';

describe('anchor links as a reader sees them', () => {
  it('finds every anchor href however quoted, with entities decoded as a mail client decodes them', () => {
    const html = [
      '<a href="https://a.example/?x=1&amp;y=2">1</a>',
      "<A class=b HREF='https://b.example/?lang&#x3D;ro&amp;utm_source=tp'>2</A>",
      '<a href=https://c.example/?q=1&amp;r=2>3</a>',
      '<a title="x" href=" https://d.example/p?a=&quot;b&quot; ">4</a>',
      '<a href="https://e.example/?a=1&copy=2">5</a>', // no `;`, followed by `=`: not an entity in an attribute
      '<a href="mailto:help@example.com">6</a><a href="#top">7</a><a href="tel:+373">8</a>',
      '<a href="https://first.example/" href="https://second.example/">9</a><a name="x">10</a>',
    ].join('');
    expect(findAnchorLinks(html).map((link) => link.url)).toEqual([
      'https://a.example/?x=1&y=2',
      'https://b.example/?lang=ro&utm_source=tp',
      'https://c.example/?q=1&r=2',
      'https://d.example/p?a="b"',
      'https://e.example/?a=1&copy=2',
      'mailto:help@example.com',
      '#top',
      'tel:+373',
      'https://first.example/',
    ]);
  });

  it('ignores what is not an anchor: comments, scripts, styles, other tags’ hrefs, text that looks like a tag', () => {
    const html =
      '<!-- <a href="https://comment.example/">x</a> --><script>var s = \'<a href="https://script.example/">\';</script>' +
      '<style>a[href="https://style.example/"]{}</style><link href="https://link.example/"><area href="https://area.example/">' +
      '<p>1 &lt;a href="https://text.example/"&gt;</p><img alt=\'<a href="https://alt.example/">\'>';
    expect(findAnchorLinks(html)).toEqual([]);
  });

  it('rewrites only the hrefs it changes and leaves every other byte as it was', () => {
    const html =
      '<p class=x>Hi &amp; <a  data-x="1" HREF = \'https://a.example/?a=1&amp;b=2\' style="c">A</a>, ' +
      '<a href="mailto:x@example.com">M</a> <a href=https://b.example/>B</a></p>\n';
    const rewritten = rewriteAnchorLinks(html, (url) =>
      url.startsWith('https://a.') ? `https://t.example/c?u=${encodeURIComponent(url)}&x="` : undefined,
    );
    expect(rewritten).toBe(
      '<p class=x>Hi &amp; <a  data-x="1" href="https://t.example/c?u=https%3A%2F%2Fa.example%2F%3Fa%3D1%26b%3D2&amp;x=&quot;" style="c">A</a>, ' +
        '<a href="mailto:x@example.com">M</a> <a href=https://b.example/>B</a></p>\n',
    );
    expect(rewriteAnchorLinks(html, () => undefined)).toBe(html);
  });

  it('reads many links and long attributes in one pass', () => {
    const html =
      '<p style="' + 'x'.repeat(50_000) + '">' + '<a href="https://a.example/?a=1&amp;b=2">a</a> '.repeat(20_000);
    const links = findAnchorLinks(html);
    expect(links).toHaveLength(20_000);
    expect(links[19_999].url).toBe('https://a.example/?a=1&b=2');
  });
});
