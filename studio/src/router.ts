import { useSyncExternalStore } from 'react';

/** Hash routes (`#/sequences/webinar-school`): the server serves one page at `/` and never sees the route. */
export type Route = { screen: 'sequences' } | { screen: 'sequence'; key: string } | { screen: 'unknown' };

function parse(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/') return { screen: 'sequences' };
  const sequence = /^\/sequences\/([^/]+)$/.exec(path);
  if (sequence?.[1]) return { screen: 'sequence', key: decodeURIComponent(sequence[1]) };
  return { screen: 'unknown' };
}

export function href(route: Route): string {
  return route.screen === 'sequence' ? `#/sequences/${encodeURIComponent(route.key)}` : '#/';
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(
    (listener) => {
      window.addEventListener('hashchange', listener);
      return () => window.removeEventListener('hashchange', listener);
    },
    () => window.location.hash,
  );
  return parse(hash);
}
