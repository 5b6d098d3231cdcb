// The first requests of a page view, made by a small classic script inline at the top of index.html: it
// runs as the parser reaches it (nothing else runs first, and no request of its own is waited for), while the
// dashboard's module (which waits for the document and the style sheet, then for its own compilation) is
// still on the way, so that a page's data is fetched beside its code rather than after it. A classic
// script can import nothing: the few lines of route parsing and URL building it needs are its own (api.ts's
// apiUrl and router.ts's parseHash build the same strings), and main.tsx finds the requests in
// window.kabiEarly. vite.config.ts builds it as a chunk of its own and inlines it in index.html (the
// server's CSP allows it by its hash).

// One function's scope: a classic script's top-level names would be globals of the page.
(() => {
  function apiUrl(path: string, params: Record<string, string>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== '') qs.set(k, v);
    const s = qs.toString();
    return `/api/${path}${s ? `?${s}` : ''}`;
  }

  /**
   * The API requests a page makes first, from its route's parameters (pages not named here wait for their
   * code); the first is the page's figures, which main.tsx waits for before its first render.
   */
  const FIRST_REQUESTS: Record<string, (p: URLSearchParams) => string[]> = {
    series: (p) => [
      apiUrl('series', { query: p.get('query') ?? '', by: p.get('by') ?? '' }),
      apiUrl('builds', { query: 'kind=kernel' }),
    ],
    rate: (p) => [apiUrl('series', { query: p.get('query') ?? '', baseline: p.get('baseline') ?? '' })],
    builds: (p) => [apiUrl('builds', { query: p.get('query') ?? '' })],
  };

  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const page = (q === -1 ? hash : hash.slice(0, q)) || 'builds';
  const params = new URLSearchParams(q === -1 ? '' : hash.slice(q + 1));
  const early = new Map<string, Promise<Response>>();
  for (const url of FIRST_REQUESTS[page]?.(params) ?? [])
    early.set(url, fetch(url, { headers: { accept: 'application/json' } }));
  window.kabiEarly = early;
})();
