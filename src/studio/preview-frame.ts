import { createHash } from 'node:crypto';

/**
 * The frame the studio shows an email preview in. A `srcdoc` iframe inherits the CSP of the page that holds it,
 * and the studio's (no inline styles, images from itself only) would strip an email of its inline styles and
 * remote images, with a console error for each. So the studio frames this small page instead, which has a CSP
 * of its own: no script but the one below (by its hash), inline styles and images allowed, nothing else. Its
 * script takes the rendered HTML from the studio (postMessage, from its parent only) and shows it in an inner
 * `sandbox=""` srcdoc iframe: no script of the email runs, it has an opaque origin and cannot navigate the page.
 */
const RELAY = `
window.addEventListener('message', function (event) {
  if (window.parent === window || event.source !== window.parent) return;
  var data = event.data;
  if (!data || data.type !== 'touchpoint-preview' || typeof data.html !== 'string') return;
  var frame = document.getElementById('email');
  if (!frame) {
    frame = document.createElement('iframe');
    frame.id = 'email';
    frame.setAttribute('sandbox', '');
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.title = typeof data.title === 'string' ? data.title : 'Email';
    document.body.appendChild(frame);
  }
  frame.srcdoc = data.html;
});
window.parent.postMessage({ type: 'touchpoint-preview-ready' }, '*');
`;

const RELAY_HASH = createHash('sha256').update(RELAY).digest('base64');

export const PREVIEW_FRAME_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Email preview</title>
<style>html,body{margin:0;height:100%}iframe{display:block;border:0;width:100%;height:100%;background:#fff}</style>
</head>
<body><script>${RELAY}</script></body>
</html>
`;

/**
 * Inline styles and images (remote ones too: an email's logo) for the email; the frame's own script by hash;
 * no connections, no forms, no plugins; framed only by the studio itself.
 */
export const PREVIEW_FRAME_CSP =
  `default-src 'none'; script-src 'sha256-${RELAY_HASH}'; style-src 'unsafe-inline'; ` +
  "img-src http: https: data:; font-src http: https: data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";
