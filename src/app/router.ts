// A router the size of the app: two routes, history.pushState, and popstate. No library needed.
import { useEffect, useState } from 'react';

export type Route = 'terminals' | 'playground' | 'not-found';

export function routeOf(pathname: string): Route {
  if (pathname === '/' || pathname === '') return 'terminals';
  if (pathname === '/playground' || pathname === '/playground/') return 'playground';
  return 'not-found';
}

const listeners = new Set<() => void>();

export function navigate(pathname: string): void {
  if (pathname === location.pathname) return;
  history.pushState(null, '', pathname);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}
