import { useEffect, useState } from 'react';

/** The app lives under /app; its pages are paths below that (history API, no hash). */
export const BASE = '/app';

function currentPath(): string {
  const path = window.location.pathname;
  const inner = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  return inner === '' ? '/' : inner;
}

export function navigate(path: string): void {
  window.history.pushState(null, '', `${BASE}${path}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export interface Location {
  path: string;
  search: URLSearchParams;
}

export function useLocation(): Location {
  const [location, setLocation] = useState<Location>(() => ({
    path: currentPath(),
    search: new URLSearchParams(window.location.search),
  }));
  useEffect(() => {
    const update = (): void =>
      setLocation({ path: currentPath(), search: new URLSearchParams(window.location.search) });
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return location;
}
