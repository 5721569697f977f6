// Tables: rows from the TSP's data trees and tables, and the filtered, sorted line tables (findings, slowest).
import { esc } from './format.js';

/** rows: [{ cells, depth, title, onclick }]; numeric(i): whether column i is right-aligned. */
export function fillTable(table, headers, rows, numeric) {
  const head = '<tr>' + headers.map(h => `<th>${esc(h)}</th>`).join('') + '</tr>';
  table.innerHTML = head;
  for (const r of rows) {
    const tr = document.createElement('tr');
    r.cells.forEach((c, i) => {
      const td = document.createElement('td');
      td.textContent = c;
      if (numeric && numeric(i)) td.className = 'num';
      if (i === 0 && r.depth) td.style.paddingLeft = (6 + 14 * r.depth) + 'px';
      tr.append(td);
    });
    if (r.onclick) tr.onclick = r.onclick;
    if (r.title) tr.title = r.title;
    table.append(tr);
  }
  if (rows.length === 0) table.insertAdjacentHTML('beforeend', `<tr><td class="empty" colspan="${headers.length}">nothing here</td></tr>`);
}

export function treeRows(entries) {
  const depth = new Map();
  return entries.map(e => {
    const d = e.parentId === -1 || !depth.has(e.parentId) ? 0 : depth.get(e.parentId) + 1;
    depth.set(e.id, d);
    return { cells: e.labels, depth: d };
  });
}

// A table of loaded lines, filtered and sorted in the page: every word typed must appear in a line's text, and a
// click on a column header sorts by it (numbers as numbers, exact for 64-bit times), again to reverse.
const SHOWN_MAX = 500; // lines put in the DOM at once; the count says how many match
export class LineTable {
  constructor(name, columns) {
    this.table = document.getElementById(name);
    this.filter = document.getElementById(name + '-filter');
    this.count = document.getElementById(name + '-count');
    this.columns = columns; // [{ name, numeric, show(raw) }]
    this.lines = []; this.total = 0; this.sort = null; // { col, dir }
    let timer = null;
    this.filter.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => this.render(), 80); });
  }
  /** lines: [{ raw: [cell…], title, onclick }], total: the table's size on the server. */
  set(lines, total) {
    for (const l of lines) {
      l.cells = l.raw.map((v, i) => this.columns[i].show ? this.columns[i].show(v) : v);
      l.text = (l.cells.join(' ') + ' ' + l.raw.join(' ')).toLowerCase();
      l.keys = l.raw.map((v, i) => this.columns[i].numeric ? sortKey(v) : String(v).toLowerCase());
    }
    this.lines = lines; this.total = total;
    this.render();
  }
  render() {
    const words = this.filter.value.toLowerCase().split(/\s+/).filter(w => w);
    let rows = words.length ? this.lines.filter(l => words.every(w => l.text.includes(w))) : this.lines.slice();
    if (this.sort) {
      const { col, dir } = this.sort;
      rows.sort((a, b) => dir * compareKeys(a.keys[col], b.keys[col]));
    }
    fillTable(this.table, this.columns.map(c => c.name), rows.slice(0, SHOWN_MAX), i => this.columns[i].numeric);
    this.table.querySelectorAll('th').forEach((th, i) => {
      th.className = 'sortable';
      th.title = 'sort by ' + this.columns[i].name;
      if (this.sort && this.sort.col === i) th.dataset.sort = this.sort.dir > 0 ? 'asc' : 'desc';
      th.onclick = () => {
        this.sort = { col: i, dir: this.sort && this.sort.col === i ? -this.sort.dir : 1 };
        this.render();
      };
    });
    this.table.dataset.filter = this.filter.value; // what the lines shown were filtered by (the tests wait on it)
    const more = this.total > this.lines.length ? ` (the first ${this.lines.length} of ${this.total} loaded)` : '';
    this.count.textContent = (words.length ? `${rows.length} of ${this.lines.length} lines match` : `${rows.length} lines`)
      + (rows.length > SHOWN_MAX ? `, first ${SHOWN_MAX} shown` : '') + more;
  }
}
// Integers (64-bit times among them) compare exactly as BigInt, other numbers as numbers; empty cells sort last.
function sortKey(v) {
  const t = String(v).trim();
  if (t === '') return null;
  if (/^-?\d+$/.test(t)) return BigInt(t);
  const n = Number(t);
  return Number.isFinite(n) ? n : t.toLowerCase();
}
function compareKeys(a, b) {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const ta = typeof a === 'string', tb = typeof b === 'string';
  if (ta !== tb) return ta ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
