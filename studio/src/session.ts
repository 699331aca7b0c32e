import { useSyncExternalStore } from 'react';

/**
 * The admin key, kept in this tab's sessionStorage (gone when the tab closes), sent as
 * a bearer header, never in a cookie, so there is nothing for a cross-site request to ride on. `notice` says why
 * the sign-in screen is showing (a refused key, a sign-out).
 */
const KEY = 'touchpoint-key';

export type Notice = 'expired' | 'signedOut' | null;
interface State {
  key: string | null;
  notice: Notice;
}

let state: State = { key: sessionStorage.getItem(KEY), notice: null };
const listeners = new Set<() => void>();

function set(next: State): void {
  state = next;
  if (next.key === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, next.key);
  for (const listener of listeners) listener();
}

export const session = {
  key: (): string | null => state.key,
  signIn: (key: string): void => set({ key, notice: null }),
  signOut: (): void => set({ key: null, notice: 'signedOut' }),
  /** The server refused the key of a signed-in user: back to the sign-in screen, saying so. */
  expire: (): void => {
    if (state.key !== null) set({ key: null, notice: 'expired' });
  },
};

export function useSession(): State {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}
