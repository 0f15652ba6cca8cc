/**
 * The query string as state. The shared router re-renders on a change of path only, so a page that keeps its
 * state in the query (filters, paging, the monitoring window) listens for query changes itself: its own
 * navigations (`goTo`), back/forward (popstate), and — where the browser has the Navigation API — any other
 * same-document navigation, such as the side navigation's link to the page it is already on.
 */
import { useEffect, useState } from 'react';
import { navigate, usePath } from '../../app/router.ts';

const EVENT = 'parapet:querychange';

export function goTo(path: string, opts: { replace?: boolean } = {}): void {
  navigate(path, opts);
  window.dispatchEvent(new Event(EVENT));
}

/** The current `location.search`, re-rendering when it changes. */
export function useSearch(): string {
  usePath();
  const [, setSearch] = useState(window.location.search);
  useEffect(() => {
    const f = () => setSearch(window.location.search);
    const nav = (window as unknown as { navigation?: EventTarget }).navigation;
    window.addEventListener('popstate', f);
    window.addEventListener(EVENT, f);
    nav?.addEventListener('currententrychange', f);
    return () => {
      window.removeEventListener('popstate', f);
      window.removeEventListener(EVENT, f);
      nav?.removeEventListener('currententrychange', f);
    };
  }, []);
  return window.location.search;
}
