// The clocks of several hosts (issue #16): how each host's clock was put on the reference host's time line, from
// the experiment's `clock:HOST` properties ("verdict; offset …; drift …; ± bound; N pairs (bus …, redis calls …, http …); meaning"). Hidden for one host.
import { esc } from './format.js';

export function showClocks(experiment) {
  const box = document.getElementById('clocks');
  const props = experiment.properties || {};
  const hosts = Object.keys(props).filter(k => k.startsWith('clock:')).sort();
  if (hosts.length === 0) { box.hidden = true; return; }
  const rows = hosts.map(k => {
    const [verdict, offset, drift, bound, pairs, ...meaning] = props[k].split('; ');
    return `<tr class="clock-${esc(verdict)}"><td>${esc(k.slice(6))}</td><td>${esc(offset.replace('offset ', ''))}</td>`
      + `<td>${esc(drift.replace('drift ', ''))}</td><td>${esc(bound)}</td><td>${esc(pairs.replace(' pairs', ''))}</td>`
      + `<td>${esc(meaning.join('; '))}</td></tr>`;
  });
  document.getElementById('clocks-table').innerHTML =
    '<tr><th>host</th><th>offset</th><th>drift</th><th>accuracy</th><th>pairs</th><th>verdict</th></tr>' + rows.join('');
  box.hidden = false;
}
