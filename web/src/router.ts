// Hash routes: `#/page?key=value`. Hand-written (a few lines): the routers on npm route on the path and
// read the query from location.search, while this dashboard keeps its whole state in the hash so that
// the server serves one file and every view is a link.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  page: string;
  params: URLSearchParams;
}

export type Params = Record<string, string | number | undefined | null>;

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const page = (q === -1 ? h : h.slice(0, q)) || 'builds';
  return { page, params: new URLSearchParams(q === -1 ? '' : h.slice(q + 1)) };
}

/** A link to a page; artifact strings only ever go into the query part, percent-encoded. */
export function href(page: string, params: Params = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `#/${page}${s ? `?${s}` : ''}`;
}

export function navigate(page: string, params: Params = {}, replace = false): void {
  const target = href(page, params);
  if (replace) history.replaceState(null, '', target);
  else location.hash = target;
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
