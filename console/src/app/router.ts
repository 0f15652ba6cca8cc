/** A small history router for /console/… paths (the gateway serves index.html for every one of them). */
import { useEffect, useState } from 'react';

export const BASE = '/console';

function current(): string {
  const p = window.location.pathname;
  return p.startsWith(BASE) ? p.slice(BASE.length) || '/' : '/';
}

const listeners = new Set<() => void>();
/** Counts navigations: a link to the page already shown still reloads it (fresh data, a session check). */
let visits = 0;
/** The path and query shown: a fragment link (`#section`, which also fires popstate) is no new page. */
let shown = window.location.pathname + window.location.search;
window.addEventListener('popstate', () => {
  const now = window.location.pathname + window.location.search;
  if (now === shown) return;
  shown = now;
  visits++;
  for (const f of listeners) f();
});

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const url = `${BASE}${path.startsWith('/') ? path : `/${path}`}`;
  // A replace is the page recording its own state (filters in the query): it must not remount the page.
  if (opts.replace) window.history.replaceState(null, '', url);
  else {
    window.history.pushState(null, '', url);
    visits++;
  }
  shown = window.location.pathname + window.location.search;
  for (const f of listeners) f();
  window.scrollTo(0, 0);
}

/** The path under /console (e.g. "/guardrails/abc123"), re-rendering on navigation. */
export function usePath(): string {
  const [path, setPath] = useState(current);
  useEffect(() => {
    const f = () => setPath(current());
    listeners.add(f);
    return () => {
      listeners.delete(f);
    };
  }, []);
  return path;
}

/** The path and a number that changes on every navigation (the App keys its page with it). */
export function useLocation(): { path: string; visit: number } {
  const [loc, setLoc] = useState(() => ({ path: current(), visit: visits }));
  useEffect(() => {
    const f = () => setLoc({ path: current(), visit: visits });
    listeners.add(f);
    return () => {
      listeners.delete(f);
    };
  }, []);
  return loc;
}

/** The query string of the current location as an object. */
export function useQuery(): URLSearchParams {
  usePath();
  return new URLSearchParams(window.location.search);
}

/** Matches "/guardrails/:id" against a path; the named parts, decoded, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const p = a[i] ?? '';
    const v = b[i] ?? '';
    if (p.startsWith(':')) out[p.slice(1)] = decodeURIComponent(v);
    else if (p !== v) return undefined;
  }
  return out;
}
