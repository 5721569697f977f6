// Debian's Chromium, headless, as every browser test here launches it: no sandbox (tests run as root), and none of
// the background traffic (updates, sync, QUIC probes) — the page must only talk to the kvscope server on loopback.
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
