// `npm run bench:terminal`: how fast the browser terminal is, end to end, in Debian's headless Chromium.
// Prints numbers; passes or fails nothing on a clock. What it measures (issue 2, terminal-performance.md):
//   - throughput: `head -c 48M /dev/urandom | base64` (64 MiB of text) run in a terminal tab: time until
//     every byte is parsed by xterm.js, MB/s, and the bytes that reached Terminal.write against the exact count
//     the command prints (a single lost byte shows);
//   - keystroke → echo latency in the xterm buffer, p50/p99 over 500 keystrokes;
//   - the protocol ceiling: the same command through real `kubectl exec` to /dev/null;
//   - peak RSS of the backend process (`porthole serve`, run as a child against the local cluster, which runs
//     in this process so its memory is not counted);
//   - which xterm.js renderer ran.
// Flags: --size MiB (random input, default 48), --keys N (default 500), --renderer auto|dom|webgl.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCluster } from '../../server/local-cluster/index.ts';
import { launchChromium, newTestPage } from '../browser.ts';
import { ensureAppBuilt } from '../porthole.ts';
import { closeTab, logIn, openTerminal, panel, run, waitForStatus } from '../app.ts';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '48' },
    keys: { type: 'string', default: '500' },
    renderer: { type: 'string', default: 'auto' },
    transport: { type: 'string', default: 'auto' },
  },
});
const sizeMiB = Number(values.size);
const keystrokes = Number(values.keys);
if (!(sizeMiB > 0) || !(keystrokes > 0)) throw new Error('--size and --keys take positive numbers');
if (!['auto', 'dom', 'webgl'].includes(values.renderer)) throw new Error('--renderer is auto, dom or webgl');
if (!['auto', 'websocket'].includes(values.transport)) throw new Error('--transport is auto or websocket');

/** What `head -c N /dev/urandom | base64` prints through a TTY: 76-column lines, each ending in CRLF. */
function expectedTtyBytes(inputBytes: number): number {
  const text = 4 * Math.ceil(inputBytes / 3);
  const lines = Math.ceil(text / 76);
  return text + 2 * lines;
}

function rssKiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

function startBackend(kubeconfig: string): Promise<{ child: ChildProcess; loginUrl: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/cli.ts', 'serve', '--port', '0', '--kubeconfig', kubeconfig],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Porthole is running at (\S+)/.exec(out);
      if (match?.[1]) resolve({ child, loginUrl: match[1] });
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`porthole serve exited (${code}) before it was ready:\n${err}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  await ensureAppBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'porthole-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const cluster = await startLocalCluster({ log: () => {} });
  await cluster.writeKubeconfig(kubeconfig);
  const { child, loginUrl } = await startBackend(kubeconfig);
  const pid = child.pid as number;
  let peakSampled = 0;
  const sampler = setInterval(() => {
    try {
      peakSampled = Math.max(peakSampled, rssKiB(pid).rss);
    } catch {
      // the child is gone
    }
  }, 50);
  const browser = await launchChromium();
  const rows: Array<[string, string]> = [];
  try {
    const idleRss = rssKiB(pid).rss;
    const pageUrl = new URL(loginUrl);
    if (values.renderer !== 'auto') pageUrl.searchParams.set('renderer', values.renderer);
    // ?websocket makes the page use a plain WebSocket (no receive backpressure) instead of WebSocketStream.
    if (values.transport === 'websocket') pageUrl.searchParams.set('websocket', '');
    const { page } = await newTestPage(browser, pageUrl.href);
    await logIn(page, pageUrl.href);

    // 1. Throughput.
    const inputBytes = Math.round(sizeMiB * 1024 * 1024);
    const command = `head -c ${inputBytes} /dev/urandom | base64`;
    await page.getByLabel('Exec command').fill(command);
    const started = performance.now();
    const bulk = await openTerminal(page, 'shell');
    await waitForStatus(page, bulk, 'exited', 600_000);
    await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.idle(), bulk);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
    const seconds = (performance.now() - started) / 1000;
    const written = await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.bytesWritten ?? 0, bulk);
    const status = await panel(page, bulk).locator('[data-status]').innerText();
    const renderer = await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.renderer() ?? '?', bulk);
    const rendererWhy = await panel(page, bulk).locator('.renderer').getAttribute('title');
    const expected = expectedTtyBytes(inputBytes);
    const mb = written / 1e6;
    rows.push(['command', command]);
    rows.push([
      'transport',
      values.transport === 'websocket' ? 'WebSocket (?websocket)' : 'WebSocketStream when available',
    ]);
    rows.push(['renderer', `${renderer} (${rendererWhy})`]);
    rows.push(['render time', `${seconds.toFixed(2)} s (${status})`]);
    rows.push(['throughput', `${(mb / seconds).toFixed(2)} MB/s (${(written / 2 ** 20 / seconds).toFixed(2)} MiB/s)`]);
    rows.push([
      'bytes at Terminal.write',
      `${written} of ${expected} expected — ${written === expected ? 'none lost' : `MISMATCH (${written - expected})`}`,
    ]);
    const flow = await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.flow() ?? null, bulk);
    if (flow) {
      const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
      rows.push([
        'page-side buffering',
        `max unparsed in xterm ${kib(flow.maxUnparsedBytes)}, max queued ${kib(flow.maxQueuedBytes)}, transport paused ${flow.pauses}×`,
      ]);
    }
    await closeTab(page, bulk);
    await page.getByLabel('Exec command').fill('');

    // 2. Keystroke → echo latency, measured in the page: keydown to the character parsed into xterm's buffer.
    const shell = await openTerminal(page, 'shell');
    await run(page, shell, 'echo ready-$((1+1)); cat >/dev/null', /^ready-2$/);
    await page.evaluate((id) => {
      const tab = window.__portholeTest?.tabs?.[id];
      if (!tab) throw new Error('no tab');
      const term = tab.controller.term;
      const probe = { pending: false, t0: 0, x: 0, samples: [] as number[] };
      (window as unknown as { __latency: typeof probe }).__latency = probe;
      document.addEventListener(
        'keydown',
        () => {
          probe.pending = true;
          probe.t0 = performance.now();
          probe.x = term.buffer.active.cursorX;
        },
        { capture: true },
      );
      term.onWriteParsed(() => {
        if (probe.pending && term.buffer.active.cursorX !== probe.x) {
          probe.samples.push(performance.now() - probe.t0);
          probe.pending = false;
        }
      });
    }, shell);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < keystrokes; i++) {
      await page.keyboard.press(letters[i % letters.length] as string);
      await page.waitForFunction(() => !(window as unknown as { __latency: { pending: boolean } }).__latency.pending);
      if (i % 60 === 59) {
        await page.evaluate(
          () => ((window as unknown as { __latency: { pending: boolean } }).__latency.pending = false),
        );
        await page.keyboard.press('Enter');
        await page.waitForTimeout(20);
        await page.evaluate(
          () => ((window as unknown as { __latency: { pending: boolean } }).__latency.pending = false),
        );
      }
    }
    const samples = await page.evaluate(() =>
      (window as unknown as { __latency: { samples: number[] } }).__latency.samples.sort((a, b) => a - b),
    );
    rows.push([
      'keystroke → echo',
      `p50 ${percentile(samples, 50).toFixed(1)} ms, p99 ${percentile(samples, 99).toFixed(1)} ms (${samples.length} keys)`,
    ]);
    // The same round trip without the browser's keyboard pipeline: xterm's input() as if typed, to the echo
    // parsed. The difference to the line above is key-event handling in Chromium and xterm.js.
    const direct = await page.evaluate(
      async ({ id, count }) => {
        const term = window.__portholeTest?.tabs?.[id]?.controller.term;
        if (!term) throw new Error('no tab');
        const times: number[] = [];
        for (let i = 0; i < count; i++) {
          const x = term.buffer.active.cursorX;
          const t0 = performance.now();
          await new Promise<void>((resolve) => {
            const listener = term.onWriteParsed(() => {
              if (term.buffer.active.cursorX === x) return;
              listener.dispose();
              resolve();
            });
            term.input(i % 60 === 59 ? '\r' : 'b', true);
          });
          times.push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 10));
        }
        return times.sort((a, b) => a - b);
      },
      { id: shell, count: Math.min(keystrokes, 200) },
    );
    rows.push([
      'stdin → echo (no key event)',
      `p50 ${percentile(direct, 50).toFixed(1)} ms, p99 ${percentile(direct, 99).toFixed(1)} ms (${direct.length} inputs)`,
    ]);
    await closeTab(page, shell);

    // 3. The protocol ceiling: real kubectl, same command, output to /dev/null, straight to the cluster.
    const kubectlStart = performance.now();
    // Asynchronously: the local cluster serving kubectl runs in this process.
    const kubectl = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const proc = spawn(
        KUBECTL,
        ['--kubeconfig', kubeconfig, 'exec', 'shell', '-c', 'main', '--', 'sh', '-c', command],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      proc.on('close', (status) => resolve({ status, stderr }));
    });
    const kubectlSeconds = (performance.now() - kubectlStart) / 1000;
    const rawBytes = 4 * Math.ceil(inputBytes / 3) + Math.ceil((4 * Math.ceil(inputBytes / 3)) / 76);
    rows.push([
      'kubectl exec → /dev/null',
      kubectl.status === 0
        ? `${kubectlSeconds.toFixed(2)} s, ${(rawBytes / 1e6 / kubectlSeconds).toFixed(1)} MB/s (no TTY)`
        : `failed (${kubectl.status}): ${kubectl.stderr.trim()}`,
    ]);

    const { hwm } = rssKiB(pid);
    rows.push([
      'backend RSS',
      `idle ${(idleRss / 1024).toFixed(0)} MiB, peak ${(Math.max(hwm, peakSampled) / 1024).toFixed(0)} MiB`,
    ]);
  } finally {
    clearInterval(sampler);
    await browser.close();
    child.kill('SIGTERM');
    await cluster.close();
    await rm(dir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(
    `\nPorthole terminal benchmark (headless Chromium; 1-min load average ${loadAtStart[0]?.toFixed(1)} at start, ${loadavg()[0]?.toFixed(1)} at end)\n`,
  );
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
