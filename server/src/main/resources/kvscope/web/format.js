// Text for people: durations with their unit, HTML escaping.

export function fmtDuration(ns) {
  const a = Math.abs(ns);
  if (a >= 1e9) return (ns / 1e9).toFixed(a >= 1e10 ? 1 : 3) + ' s';
  if (a >= 1e6) return (ns / 1e6).toFixed(a >= 1e7 ? 1 : 3) + ' ms';
  if (a >= 1e3) return (ns / 1e3).toFixed(a >= 1e4 ? 1 : 3) + ' µs';
  return Math.round(ns) + ' ns';
}

export const esc = s => String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Bytes with a binary unit, as the report writes them. */
export function fmtBytes(b) {
  const a = Math.abs(b);
  if (a >= 1 << 30) return (b / (1 << 30)).toFixed(2) + ' GiB';
  if (a >= 1 << 20) return (b / (1 << 20)).toFixed(2) + ' MiB';
  if (a >= 1 << 10) return (b / (1 << 10)).toFixed(1) + ' KiB';
  return Math.round(b) + ' B';
}
