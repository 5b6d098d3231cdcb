// The dashboard: one page per hash route, over the read-only API of `kabi serve`. Each page is a chunk of
// its own, loaded when its route is first shown; the page opened first has its data requested here, at
// once, while its code is still on the way (index.html already painted the header and a placeholder).
import type { JSX } from 'preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiUrl, prefetch, useStoreChanges } from './api';
import { href, parseHash, type Route, useRoute } from './router';
import './style.css';

type PageView = (props: { params: URLSearchParams; changes: number }) => JSX.Element | null;

interface Page {
  title: string;
  load: () => Promise<PageView>;
  /** The API requests the page makes first, from its route: started before its code has loaded. */
  data?: (params: URLSearchParams) => string[];
}

const PAGES = new Map<string, Page>([
  ['builds', { title: 'Builds', load: () => import('./pages/builds').then((m) => m.BuildsPage) }],
  [
    'series',
    {
      title: 'Series',
      load: () => import('./pages/series').then((m) => m.SeriesPage),
      data: (p) => [
        apiUrl('series', { query: p.get('query') ?? '', by: p.get('by') ?? '' }),
        apiUrl('builds', { query: 'kind=kernel' }),
      ],
    },
  ],
  ['diff', { title: 'Diff', load: () => import('./pages/diff').then((m) => m.DiffView) }],
  ['symbol', { title: 'Symbol', load: () => import('./pages/symbol').then((m) => m.SymbolPage) }],
  ['kmods', { title: 'Kmods', load: () => import('./pages/kmods').then((m) => m.KmodsPage) }],
  ['kmod', { title: 'Kmod', load: () => import('./pages/kmods').then((m) => m.KmodPageView) }],
  ['compat', { title: 'Compat', load: () => import('./pages/compat').then((m) => m.CompatPage) }],
  ['rate', { title: 'Rate', load: () => import('./pages/rate').then((m) => m.RatePage) }],
  ['watch', { title: 'Watch', load: () => import('./pages/watch').then((m) => m.WatchPage) }],
]);

const NAV = ['builds', 'series', 'rate', 'diff', 'symbol', 'kmods', 'compat', 'watch'];

/** Pages whose code has arrived, and those on the way. */
const loaded = new Map<string, PageView>();
const loading = new Map<string, Promise<PageView>>();

function loadPage(name: string): Promise<PageView> | undefined {
  const page = PAGES.get(name);
  if (!page) return undefined;
  let p = loading.get(name);
  if (!p) {
    p = page.load().then((view) => {
      loaded.set(name, view);
      return view;
    });
    p.catch(() => loading.delete(name));
    loading.set(name, p);
  }
  return p;
}

function LazyPage({ route, changes }: { route: Route; changes: number }) {
  const [, setLoaded] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const view = loaded.get(route.page);
  useEffect(() => {
    if (view) return;
    loadPage(route.page)?.then(
      () => setLoaded((n) => n + 1),
      (e: Error) => setError(`This page could not be loaded: ${e.message}`),
    );
  }, [route.page, view]);
  if (!PAGES.has(route.page)) return <p class="error">No page {route.page}.</p>;
  if (error) return <p class="error">{error}</p>;
  if (!view) return <p class="loading">Loading…</p>;
  const View = view;
  return <View params={route.params} changes={changes} />;
}

function App() {
  const route = useRoute();
  const changes = useStoreChanges();
  const current = route.page === 'kmod' ? 'kmods' : route.page;
  return (
    <>
      <header>
        <a class="brand" href={href('builds')}>
          kabi-tracker
        </a>
        <nav>
          {NAV.map((p) => (
            <a
              key={p}
              href={href(p)}
              class={p === current ? 'on' : undefined}
              aria-current={p === current ? 'page' : undefined}
            >
              {PAGES.get(p)!.title}
            </a>
          ))}
        </nav>
      </header>
      <main key={route.page}>
        <LazyPage route={route} changes={changes} />
      </main>
    </>
  );
}

// The first page's code and data, requested before anything renders (the code first: a cold server
// computes the data synchronously, and would otherwise serve the code only after it).
const first = parseHash(location.hash);
loadPage(first.page)?.catch(() => {});
for (const url of PAGES.get(first.page)?.data?.(first.params) ?? []) prefetch(url);

const root = document.getElementById('app')!;
root.textContent = ''; // the shell index.html painted before this script ran
render(<App />, root);
