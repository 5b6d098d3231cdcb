// The dashboard: one page per hash route, over the read-only API of `kabi serve`.
import { render } from 'preact';
import { useStoreChanges } from './api';
import { BuildsPage } from './pages/builds';
import { CompatPage } from './pages/compat';
import { DiffView } from './pages/diff';
import { KmodPageView, KmodsPage } from './pages/kmods';
import { SeriesPage } from './pages/series';
import { SymbolPage } from './pages/symbol';
import { href, useRoute } from './router';
import './style.css';

const PAGES = {
  builds: { title: 'Builds', view: BuildsPage },
  series: { title: 'Series', view: SeriesPage },
  diff: { title: 'Diff', view: DiffView },
  symbol: { title: 'Symbol', view: SymbolPage },
  kmods: { title: 'Kmods', view: KmodsPage },
  kmod: { title: 'Kmod', view: KmodPageView },
  compat: { title: 'Compat', view: CompatPage },
} as const;

const NAV: (keyof typeof PAGES)[] = ['builds', 'series', 'diff', 'symbol', 'kmods', 'compat'];

function App() {
  const route = useRoute();
  const changes = useStoreChanges();
  const page = PAGES[route.page as keyof typeof PAGES];
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
              {PAGES[p].title}
            </a>
          ))}
        </nav>
      </header>
      <main key={route.page}>
        {page ? (
          <page.view params={route.params} changes={changes} />
        ) : (
          <p class="error">No page {route.page}.</p>
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading…" shown before this script ran
render(<App />, root);
