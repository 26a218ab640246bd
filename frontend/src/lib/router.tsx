import { useEffect, useSyncExternalStore } from 'react';

// Three fixed routes with no params, loaders or nesting: a history listener is all the
// routing this app needs, and it keeps a routing library out of the first load.

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

function getPathname(): string {
  return window.location.pathname;
}

/** Moves to `to` within the SPA (history API); `replace` keeps redirects out of the back stack. */
export function navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
  if (window.location.pathname + window.location.search === to) return;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  listeners.forEach((listener) => listener());
}

/** The current path, re-rendering on navigate() and on back/forward. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, getPathname, getPathname);
}

/** Replaces the current entry with `to` once rendered. */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
