// Starts `kvscope serve` for the Trace Server Protocol client test: on a free port, resolving with the TSP base URL
// once the server listens (the page test starts its own, for its browser).
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;

/** `kvscope serve TRACE --port 0`; resolves with { url, api, stop } once it printed its page address. */
export function serveForTsp(trace) {
  return new Promise((resolve, reject) => {
    const p = spawn(root + 'kvscope', ['serve', trace, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const timer = setTimeout(() => reject(new Error('kvscope serve not listening in 120 s: ' + text)), 120_000);
    p.stdout.on('data', d => {
      text += d;
      const m = /page:\s+(http:\S+?)\/?\s/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], api: m[1] + '/tsp/api', stop: () => p.kill('SIGTERM') });
      }
    });
    p.on('exit', code => { clearTimeout(timer); reject(new Error('kvscope serve exited ' + code + ': ' + text)); });
  });
}
