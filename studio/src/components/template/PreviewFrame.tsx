import { useEffect, useRef, useState } from 'react';

/**
 * The rendered email in the server's preview frame (src/studio/preview-frame.ts): a page with a CSP of its own that
 * shows the HTML in an inner `sandbox=""` srcdoc iframe. A srcdoc frame right here would inherit the studio's CSP,
 * which rightly refuses inline styles and remote images, and the email would show without them. The frame is
 * sandboxed too (scripts only for its relay, an opaque origin: it cannot read the studio's key).
 */
export function PreviewFrame({ html, title, width }: { html: string; title: string; width: number }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const listener = (event: MessageEvent) => {
      const data: unknown = event.data;
      if (
        event.source === frame.current?.contentWindow &&
        typeof data === 'object' &&
        data !== null &&
        (data as { type?: unknown }).type === 'touchpoint-preview-ready'
      ) {
        setReady(true);
      }
    };
    window.addEventListener('message', listener);
    return () => window.removeEventListener('message', listener);
  }, []);
  useEffect(() => {
    // The frame's origin is opaque ('null'), so no narrower target origin can name it.
    if (ready) frame.current?.contentWindow?.postMessage({ type: 'touchpoint-preview', html, title }, '*');
  }, [ready, html, title]);
  return (
    <div className="preview-viewport" style={{ maxWidth: `${width}px` }} data-width={width}>
      <iframe
        ref={frame}
        className="preview-frame"
        src="/studio/preview-frame"
        sandbox="allow-scripts"
        referrerPolicy="no-referrer"
        title={title}
      />
    </div>
  );
}
