// The Trace Server Protocol client: the same calls the VS Code / Theia trace viewers make, under /tsp/api.
// Times are int64 ns since the epoch (~1.7e18): JSON.parse would round them to 256 ns, so integers of 16+ digits are
// read as BigInt and written back as plain numbers.

export const API = '/tsp/api';
const BIG = '__kvbig__';

export function parseJson(text) {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![.\deE])/g,
    m => m[0] === '"' ? m : '"' + BIG + m + '"');
  return JSON.parse(marked, (k, v) => typeof v === 'string' && v.startsWith(BIG) ? BigInt(v.slice(BIG.length)) : v);
}

export function toJson(obj) {
  return JSON.stringify(obj, (k, v) => typeof v === 'bigint' ? BIG + v.toString() : v)
    .replace(new RegExp('"' + BIG + '(-?\\d+)"', 'g'), '$1');
}

/** One TSP call; a refusal becomes an Error carrying the server's title and detail. */
export async function call(method, path, parameters) {
  const init = { method, headers: {} };
  if (parameters !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = toJson({ parameters });
  }
  const r = await fetch(API + path, init);
  const body = parseJson(await r.text());
  if (!r.ok) throw new Error(body.title + ': ' + body.detail);
  return body;
}
