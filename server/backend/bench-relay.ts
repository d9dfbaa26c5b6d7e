// Relay benchmark (prints numbers; not a test): `node --import tsx server/backend/bench-relay.ts`.
// Against the TLS fake cluster of the tests: throughput cluster→browser through the relay, memory per idle
// relayed session, and the relay's memory while a browser that stopped reading faces a flooding cluster.

import { startFakeCluster, type FakeSession } from './testing/fake-cluster.ts';
import { SHELL_PATH, TTY_QUERY, login, openBrowserSocket, startTestPorthole, waitUntil } from './testing/harness.ts';
import { makeTestCertificates } from './testing/tls.ts';

const MiB = 1024 * 1024;
const rssMiB = () => process.memoryUsage().rss / MiB;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function main(): Promise<void> {
  const certs = makeTestCertificates();
  const fake = await startFakeCluster({ certs });
  const t = await startTestPorthole(fake, certs, { log: () => {}, maxRelaysPerSession: 1000 });
  const cookie = await login(t);
  const rows: Array<[string, string]> = [];

  const open = async () => {
    const before = fake.sessions.length;
    const result = await openBrowserSocket(t, SHELL_PATH + TTY_QUERY, { cookie });
    if (!result.ok) throw new Error(`refused ${result.status}`);
    await waitUntil(() => fake.sessions.length > before, 'upstream session');
    return { browser: result.socket, upstream: fake.sessions[fake.sessions.length - 1] as FakeSession };
  };

  // Throughput: 256 MiB in 32 KiB messages (the size a kubelet writes), cluster → browser.
  {
    const { browser, upstream } = await open();
    let received = 0;
    browser.ws.removeAllListeners('message');
    browser.ws.on('message', (data: Buffer) => (received += data.length));
    const total = 256 * MiB;
    const chunk = Buffer.alloc(32 * 1024, 0x61);
    chunk[0] = 1;
    const start = performance.now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (sent < total && upstream.ws.bufferedAmount < 4 * MiB) {
          upstream.ws.send(chunk);
          sent += chunk.length;
        }
        if (sent < total) setImmediate(pump);
        else resolve();
      };
      pump();
    });
    await waitUntil(() => received >= total, 'all bytes received', 120_000);
    const seconds = (performance.now() - start) / 1000;
    rows.push(['throughput cluster→browser (256 MiB, 32 KiB messages)', `${(total / MiB / seconds).toFixed(0)} MiB/s`]);
    browser.ws.close(1000);
    await browser.closed;
  }

  // Memory per idle relayed session (both sockets, TLS upstream, timers).
  {
    gc();
    const before = rssMiB();
    const sessions = [];
    for (let i = 0; i < 200; i++) sessions.push(await open());
    gc();
    const after = rssMiB();
    rows.push([
      'RSS per idle relayed session (200 sessions, incl. the fake cluster side)',
      `${(((after - before) * 1024) / 200).toFixed(0)} KiB`,
    ]);
    for (const s of sessions) s.browser.ws.close(1000);
    await Promise.all(sessions.map((s) => s.browser.closed));
  }

  // A browser that stopped reading while the cluster floods: the relay's backlog and the process RSS.
  {
    gc();
    const before = rssMiB();
    const { browser, upstream } = await open();
    browser.ws.pause();
    const chunk = Buffer.alloc(32 * 1024, 0x62);
    chunk[0] = 1;
    let sent = 0;
    const stats = t.porthole.relays()[0];
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (upstream.ws.bufferedAmount < 64 * MiB && sent < 512 * MiB) {
          upstream.ws.send(chunk);
          sent += chunk.length;
          if (sent % MiB === 0) break;
        }
        if (upstream.ws.bufferedAmount >= 64 * MiB || sent >= 512 * MiB) resolve();
        else setImmediate(pump);
      };
      pump();
    });
    rows.push(['flood into a non-reading browser: accepted by the cluster side', `${(sent / MiB).toFixed(0)} MiB`]);
    rows.push([
      '  relayed before the pause reached the cluster',
      `${((stats?.bytesFromUpstream ?? 0) / MiB).toFixed(1)} MiB`,
    ]);
    rows.push([
      '  relay backlog towards the browser, at most',
      `${((stats?.maxPendingToBrowser ?? 0) / 1024).toFixed(0)} KiB`,
    ]);
    rows.push([
      "  RSS growth (the cluster side's own 64 MiB send buffer included)",
      `${(rssMiB() - before).toFixed(0)} MiB`,
    ]);
    browser.ws.terminate();
    upstream.ws.terminate();
  }

  await t.close();
  await fake.close();
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

await main();
