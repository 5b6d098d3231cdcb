// The report page's only script, inlined: filter and sort the tables, show one symbol's rows as its
// history. Hand-written (~2 KB) rather than a table library: the page must work from file:// with no
// network, so any library would be inlined into every report, and the ones that sort (tablesort,
// List.js) still need the filter controls and the history panel written here. It reads only the DOM
// the page renders and never builds HTML from strings: text goes in through textContent.
export const PAGE_SCRIPT = `(() => {
'use strict';
const text = (td) => (td ? td.textContent : '');
const num = (td) => (td && td.dataset.v !== undefined ? Number(td.dataset.v) : null);
const NUMERIC = new Set(['count', 'share', 'crc']);
const collator = new Intl.Collator('en', { numeric: true });
for (const section of document.querySelectorAll('section[data-table]')) {
  const tbody = section.querySelector('tbody');
  const rows = Array.from(tbody.rows);
  const shown = section.querySelector('.shown');
  const controls = Array.from(section.querySelectorAll('.filters [data-col]'));
  const apply = () => {
    let n = 0;
    for (const tr of rows) {
      const ok = controls.every((c) => {
        const v = c.value.trim();
        if (v === '') return true;
        const t = text(tr.cells[Number(c.dataset.col)]);
        return c.tagName === 'SELECT' ? t === v : t.toLowerCase().includes(v.toLowerCase());
      });
      tr.hidden = !ok;
      if (ok) n++;
    }
    shown.textContent = String(n);
  };
  for (const c of controls) c.addEventListener('input', apply);
  for (const th of section.querySelectorAll('thead th')) {
    th.querySelector('button').addEventListener('click', () => {
      const col = Number(th.dataset.col);
      const dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      for (const h of section.querySelectorAll('thead th')) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      const numeric = NUMERIC.has(th.dataset.kind);
      const key = (tr) => (numeric ? num(tr.cells[col]) : text(tr.cells[col]));
      const keyed = rows.map((tr, i) => [key(tr), i, tr]);
      keyed.sort((a, b) => {
        if (a[0] === null || a[0] === '') return b[0] === null || b[0] === '' ? a[1] - b[1] : 1;
        if (b[0] === null || b[0] === '') return -1;
        const d = numeric ? a[0] - b[0] : collator.compare(a[0], b[0]);
        return d === 0 ? a[1] - b[1] : dir * d;
      });
      rows.splice(0, rows.length, ...keyed.map((k) => k[2]));
      tbody.append(...rows);
    });
  }
}
const history = document.getElementById('history');
const quote = (s) => (/^[A-Za-z0-9_.=,:+-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\\\''") + "'");
function showHistory(symbol) {
  const body = history.querySelector('.rows');
  body.replaceChildren();
  history.querySelector('.symbol').textContent = symbol;
  const cmd = history.querySelector('.command');
  if (cmd) cmd.textContent = 'kabi history ' + quote(symbol) + (document.body.dataset.query ? ' ' + quote(document.body.dataset.query) : '');
  for (const section of document.querySelectorAll('section[data-table]')) {
    const hits = Array.from(section.querySelectorAll('tbody a.sym'))
      .filter((a) => a.dataset.symbol === symbol)
      .map((a) => a.closest('tr'));
    if (hits.length === 0) continue;
    const h = document.createElement('h3');
    h.textContent = section.querySelector('h2').textContent;
    const table = document.createElement('table');
    table.append(section.querySelector('thead').cloneNode(true));
    const tb = document.createElement('tbody');
    for (const tr of hits) tb.append(tr.cloneNode(true));
    table.append(tb);
    body.append(h, table);
  }
  history.hidden = false;
}
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a.sym');
  if (a) showHistory(a.dataset.symbol);
});
})();`;
