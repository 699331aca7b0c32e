import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Paged<T> {
  items: T[];
  /** true while the first page or a further page is on its way */
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  more(): void;
  reload(): void;
}

/**
 * A keyset-paginated list: the first page when `deps` change (or on reload), the next one appended on `more()`.
 * An answer to an older request (the filters changed meanwhile) is dropped.
 */
export function usePaged<T>(load: (cursor: string | undefined) => Promise<Page<T>>, deps: DependencyList): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const generation = useRef(0);
  const fetchPage = useCallback((after: string | undefined, append: boolean) => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    load(after).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((previous) => (append ? [...previous, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(failure);
        setLoading(false);
      },
    );
  }, deps);
  useEffect(() => fetchPage(undefined, false), [fetchPage, attempt]);
  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    more: () => cursor !== null && fetchPage(cursor, true),
    reload: () => setAttempt((n) => n + 1),
  };
}
