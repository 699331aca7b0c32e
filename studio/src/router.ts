import { useSyncExternalStore } from 'react';

/** Hash routes (`#/sequences/webinar-school`): the server serves one page at `/` and never sees the route. */
export type Route =
  | { screen: 'sequences' }
  | { screen: 'new' }
  | { screen: 'sequence'; key: string; edit?: boolean }
  | { screen: 'unknown' };

function parse(hash: string): Route {
  const [path = '/', query = ''] = (hash.replace(/^#/, '') || '/').split('?');
  if (path === '/') return { screen: 'sequences' };
  if (path === '/new') return { screen: 'new' };
  const sequence = /^\/sequences\/([^/]+)$/.exec(path);
  if (sequence?.[1]) {
    return { screen: 'sequence', key: decodeURIComponent(sequence[1]), edit: query.split('&').includes('edit') };
  }
  return { screen: 'unknown' };
}

export function href(route: Route): string {
  if (route.screen === 'new') return '#/new';
  if (route.screen === 'sequence') return `#/sequences/${encodeURIComponent(route.key)}${route.edit ? '?edit' : ''}`;
  return '#/';
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
