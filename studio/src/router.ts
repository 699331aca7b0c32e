import { useSyncExternalStore } from 'react';

/** Hash routes (`#/sequences/webinar-school`): the server serves one page at `/` and never sees the route. */
export type Route =
  | { screen: 'sequences' }
  | { screen: 'new' }
  | { screen: 'sequence'; key: string; edit?: boolean }
  | { screen: 'templates' }
  | { screen: 'template'; key: string | null }
  | { screen: 'segments' }
  | { screen: 'segment'; key: string | null }
  | { screen: 'contacts' }
  | { screen: 'contact'; id: string }
  | { screen: 'deliveries' }
  | { screen: 'conversions' }
  | { screen: 'funnel'; key?: string }
  | { screen: 'opsSettings' }
  | { screen: 'unknown' };

function parse(hash: string): Route {
  const [path = '/', query = ''] = (hash.replace(/^#/, '') || '/').split('?');
  if (path === '/') return { screen: 'sequences' };
  if (path === '/new') return { screen: 'new' };
  const sequence = /^\/sequences\/([^/]+)$/.exec(path);
  if (sequence?.[1]) {
    return { screen: 'sequence', key: decodeURIComponent(sequence[1]), edit: query.split('&').includes('edit') };
  }
  const library = parseLibrary(path, query);
  if (library) return library;
  const ops = parseOps(path);
  if (ops) return ops;
  return { screen: 'unknown' };
}

/** Helper C's screens: contacts and ops. */
function parseOps(path: string): Route | null {
  if (path === '/contacts') return { screen: 'contacts' };
  const contact = /^\/contacts\/([^/]+)$/.exec(path);
  if (contact?.[1]) return { screen: 'contact', id: decodeURIComponent(contact[1]) };
  if (path === '/ops/deliveries') return { screen: 'deliveries' };
  if (path === '/ops/conversions') return { screen: 'conversions' };
  if (path === '/ops/settings') return { screen: 'opsSettings' };
  const funnel = /^\/ops\/funnel(?:\/([^/]+))?$/.exec(path);
  if (funnel) return funnel[1] ? { screen: 'funnel', key: decodeURIComponent(funnel[1]) } : { screen: 'funnel' };
  return null;
}

export function href(route: Route): string {
  if (route.screen === 'new') return '#/new';
  if (route.screen === 'sequence') return `#/sequences/${encodeURIComponent(route.key)}${route.edit ? '?edit' : ''}`;
  const library = libraryHref(route);
  if (library) return library;
  const ops = opsHref(route);
  if (ops) return ops;
  return '#/';
}

function opsHref(route: Route): string | null {
  if (route.screen === 'contacts') return '#/contacts';
  if (route.screen === 'contact') return `#/contacts/${encodeURIComponent(route.id)}`;
  if (route.screen === 'deliveries') return '#/ops/deliveries';
  if (route.screen === 'conversions') return '#/ops/conversions';
  if (route.screen === 'opsSettings') return '#/ops/settings';
  if (route.screen === 'funnel') return route.key ? `#/ops/funnel/${encodeURIComponent(route.key)}` : '#/ops/funnel';
  return null;
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

/** Helper T's screens: templates and segments (`#/templates?new` is a new one: `new` is a valid key). */
function parseLibrary(path: string, query: string): Route | null {
  const list = /^\/(templates|segments)$/.exec(path)?.[1];
  if (list === 'templates') return query === 'new' ? { screen: 'template', key: null } : { screen: 'templates' };
  if (list === 'segments') return query === 'new' ? { screen: 'segment', key: null } : { screen: 'segments' };
  const one = /^\/(templates|segments)\/([^/]+)$/.exec(path);
  if (one?.[2]) return { screen: one[1] === 'templates' ? 'template' : 'segment', key: decodeURIComponent(one[2]) };
  return null;
}

function libraryHref(route: Route): string | null {
  if (route.screen === 'templates' || route.screen === 'segments') return `#/${route.screen}`;
  if (route.screen !== 'template' && route.screen !== 'segment') return null;
  const list = route.screen === 'template' ? 'templates' : 'segments';
  return route.key === null ? `#/${list}?new` : `#/${list}/${encodeURIComponent(route.key)}`;
}
