// A router the size of the app: a few routes, history.pushState, and popstate. No library needed.
import { useEffect, useState } from 'react';
import { isPlaygroundPage, type PlaygroundPage } from '../playground/state.ts';

export type Route =
  | { name: 'terminals' }
  | { name: 'playground'; page: PlaygroundPage }
  | { name: 'recordings'; recording?: string }
  | { name: 'not-found' };

/** `/playground` alone is the CEL page; `/playground/<page>` names a page. */
export function routeOf(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'terminals' };
  const playground = /^\/playground(?:\/([a-z]*))?\/?$/.exec(pathname);
  if (playground) {
    const page = playground[1] || 'cel';
    if (isPlaygroundPage(page)) return { name: 'playground', page };
  }
  const recordings = /^\/recordings(?:\/([^/]+))?\/?$/.exec(pathname);
  if (recordings) {
    if (!recordings[1]) return { name: 'recordings' };
    try {
      return { name: 'recordings', recording: decodeURIComponent(recordings[1]) };
    } catch {
      return { name: 'not-found' };
    }
  }
  return { name: 'not-found' };
}

const listeners = new Set<() => void>();

/** Goes to `url` (a path, optionally with a fragment); `replace` rewrites the current history entry instead. */
export function navigate(url: string, { replace = false } = {}): void {
  if (url === location.pathname + location.hash) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [pathname, setPathname] = useState(() => location.pathname);
  useEffect(() => {
    const update = () => setPathname(location.pathname);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  // Parsed on each render from a string, so an unchanged path gives an equal (not the same) route.
  return routeOf(pathname);
}
