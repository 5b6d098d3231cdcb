// The dashboard: one page per hash route, over the read-only API of `kabi serve`. Each page but the two
// opened first most often is a chunk of its own, loaded when its route is first shown; the page opened
// first has had its data requested by boot.ts before this script even ran (index.html painted a shell).
import type { JSX } from 'preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { prefetched, useStoreChanges } from './api';
import { BuildsPage } from './pages/builds';
import { SeriesPage } from './pages/series';
import { href, parseHash, type Route, useRoute } from './router';
import './style.css';

type PageView = (props: { params: URLSearchParams; changes: number }) => JSX.Element | null;

interface Page {
  title: string;
  load: () => Promise<PageView>;
}

const PAGES = new Map<string, Page>([
  // The default page and the series, the pages most often opened first: in this chunk, not one away.
  ['builds', { title: 'Builds', load: async () => BuildsPage }],
  ['series', { title: 'Series', load: async () => SeriesPage }],
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

// The first page's code, and its figures (boot.ts requested them), before the first render: index.html's
// shell stays on screen meanwhile, at most FIRST_RENDER_WAIT_MS. Rendered earlier, the page would show
// "Loading…", then wait for an effect after the next frame before taking its data: a frame or more per
// hop on a busy machine.
const FIRST_RENDER_WAIT_MS = 1000;
const first = parseHash(location.hash);
const code = loadPage(first.page)?.catch(() => {});
const root = document.getElementById('app')!;
Promise.race([
  Promise.all([code, prefetched()]),
  new Promise((resolve) => setTimeout(resolve, FIRST_RENDER_WAIT_MS)),
]).then(() => {
  root.textContent = ''; // the shell index.html painted before this script ran
  render(<App />, root);
});
