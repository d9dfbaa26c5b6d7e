// How relayed connections are kept alive and ended: pings on each hop, a silent peer cut off, the idle and
// connect timeouts, and a client certificate presented upstream. Timings are shortened per Porthole instance;
// the assertions are on what each side saw, not on how long it took.

import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from './clusters.ts';
import { startFakeCluster, type FakeCluster, type FakeSession } from './testing/fake-cluster.ts';
import {
  FAKE_TOKEN,
  SHELL_PATH,
  TTY_QUERY,
  login,
  openBrowserSocket,
  startTestPorthole,
  waitUntil,
  type TestPorthole,
} from './testing/harness.ts';
import { makeTestCertificates, type TestCertificates } from './testing/tls.ts';
import { WebSocket } from 'ws';

let certs: TestCertificates;
let fake: FakeCluster;

beforeAll(async () => {
  certs = makeTestCertificates();
  fake = await startFakeCluster({ certs, token: FAKE_TOKEN, requestClientCert: true });
});

afterAll(async () => {
  await fake.close();
});

async function relayed(t: TestPorthole, cookie: string, options: { autoPong?: boolean } = {}) {
  const before = fake.sessions.length;
  const ws = new WebSocket(t.origin.replace(/^http/, 'ws') + SHELL_PATH + TTY_QUERY, ['v5.channel.k8s.io'], {
    headers: { Origin: t.origin, Cookie: cookie },
    autoPong: options.autoPong ?? true,
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  let pings = 0;
  ws.on('ping', () => pings++);
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  await waitUntil(() => fake.sessions.length > before, 'the upstream session exists');
  const upstream = fake.sessions[fake.sessions.length - 1] as FakeSession;
  let upstreamPings = 0;
  upstream.ws.on('ping', () => upstreamPings++);
  return { ws, closed, upstream, pings: () => pings, upstreamPings: () => upstreamPings };
}

describe('pings per hop', () => {
  let t: TestPorthole;
  let cookie: string;
  beforeAll(async () => {
    t = await startTestPorthole(fake, certs, {
      timing: { browserPingMs: 200, browserMissedPongs: 3, upstreamPingMs: 200, upstreamPongTimeoutMs: 2000 },
    });
    cookie = await login(t);
  });
  afterAll(() => t.close());

  it('both hops are pinged, and peers that answer stay connected', async () => {
    const r = await relayed(t, cookie);
    await waitUntil(() => r.pings() >= 4 && r.upstreamPings() >= 4, 'four pings on each hop');
    expect(r.ws.readyState).toBe(WebSocket.OPEN);
    expect(r.upstream.ws.readyState).toBe(WebSocket.OPEN);
    // Pings are per hop: none of the browser's pongs or the relay's pings were relayed as messages.
    expect(r.upstream.received).toEqual([]);
    r.ws.close(1000);
    await r.closed;
  });

  it('a browser that stops answering pings is cut off, and its TTY exec gets Ctrl-D', async () => {
    const r = await relayed(t, cookie, { autoPong: false });
    const closed = await r.closed;
    expect(closed.code).toBe(1006);
    await r.upstream.closed;
    expect(r.upstream.received.map((m) => m.data.toString('hex'))).toEqual(['0004']);
  });

  it('a cluster that stops answering pings is cut off; the browser sees 1011, not a clean end', async () => {
    const r = await relayed(t, cookie);
    r.upstream.ws.pause(); // reads nothing, so answers no ping
    const closed = await r.closed;
    expect(closed).toEqual({ code: 1011, reason: 'upstream connection lost' });
  });
});

describe('idle timeout', () => {
  it('no data either way for the shell idle limit closes both sides (browser 4002, TTY exec gets Ctrl-D)', async () => {
    const t = await startTestPorthole(fake, certs, { timing: { upstreamPingMs: 50, idleTimeoutMs: 300 } });
    try {
      const cookie = await login(t);
      const r = await relayed(t, cookie);
      expect(await r.closed).toEqual({ code: 4002, reason: 'shell idle for 300ms' });
      expect((await r.upstream.closed).code).toBe(1000);
      expect(r.upstream.received.map((m) => m.data.toString('hex'))).toEqual(['0004']);
    } finally {
      await t.close();
    }
  });
});

describe('connecting upstream', () => {
  let blackhole: Server;
  const held: Socket[] = [];
  let t: TestPorthole;
  let cookie: string;
  beforeAll(async () => {
    // Accepts TCP and never says a word: the TLS handshake never completes.
    blackhole = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', () => resolve()));
    const port = (blackhole.address() as { port: number }).port;
    const silent: Cluster = {
      name: 'silent',
      server: `https://127.0.0.1:${port}`,
      local: false,
      upstream: () =>
        Promise.resolve({ server: `https://127.0.0.1:${port}`, tls: { rejectUnauthorized: true }, headers: {} }),
    };
    const refused: Cluster = {
      name: 'refused',
      server: 'https://127.0.0.1:1',
      local: false,
      upstream: () =>
        Promise.resolve({ server: 'https://127.0.0.1:1', tls: { rejectUnauthorized: true }, headers: {} }),
    };
    const untrusted: Cluster = {
      name: 'untrusted',
      server: fake.url,
      local: false,
      upstream: () => Promise.resolve({ server: fake.url, tls: { rejectUnauthorized: true }, headers: {} }),
    };
    t = await startTestPorthole(fake, certs, { clusters: [silent, refused, untrusted], connectTimeoutMs: 300 });
    cookie = await login(t);
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    blackhole.close();
    await t.close();
  });

  it.each([
    { cluster: 'silent', status: 504, error: /Opening handshake has timed out/ },
    { cluster: 'refused', status: 502, error: /ECONNREFUSED/ },
    { cluster: 'untrusted', status: 502, error: /certificate/ },
  ])('$cluster → $status, never a 101', async ({ cluster, status, error }) => {
    const result = await openBrowserSocket(
      t,
      `/clusters/${cluster}/api/v1/namespaces/default/pods/shell/exec${TTY_QUERY}`,
      {
        cookie,
      },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(status);
    expect((JSON.parse(result.body) as { error: string }).error).toMatch(error);
  });
});

describe('client-certificate credentials', () => {
  it('presents the kubeconfig client certificate upstream and sends no Authorization header', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const t = await startTestPorthole(
      fake,
      certs,
      {},
      { 'client-certificate-data': b64(certs.clientCertPem), 'client-key-data': b64(certs.clientKeyPem) },
    );
    try {
      const cookie = await login(t);
      // The fake wants the bearer token, so the upgrade is refused with 401 — after it saw the certificate.
      const result = await openBrowserSocket(t, SHELL_PATH + TTY_QUERY, { cookie });
      expect(result.ok ? 101 : result.status).toBe(401);
      const upgrade = fake.requests.filter((r) => r.upgrade).at(-1);
      expect(upgrade?.clientCertCN).toBe('alice');
      expect(upgrade?.headers.authorization).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});

describe('session expiry', () => {
  it('an expired session gets 401 everywhere and its open shells are closed (4001, Ctrl-D upstream)', async () => {
    let clock = 1_000_000;
    const t = await startTestPorthole(fake, certs, {
      sessions: { idleTimeoutMs: 60_000, absoluteTimeoutMs: 3_600_000, now: () => clock },
    });
    try {
      const cookie = await login(t);
      const r = await relayed(t, cookie);
      r.ws.send(Buffer.from('\x00ls\r'));
      await waitUntil(() => r.upstream.received.length === 1, 'keystrokes relayed');
      clock += 59_000; // shell traffic 59 s ago kept it alive until now…
      expect((await fetch(`${t.origin}/porthole/api/session`, { headers: { Cookie: cookie } })).status).toBe(200);
      clock += 3_600_000; // …but not past the absolute limit
      const session = await fetch(`${t.origin}/porthole/api/session`, { headers: { Cookie: cookie } });
      expect(session.status).toBe(401);
      expect(await r.closed).toEqual({ code: 4001, reason: 'session reached its maximum lifetime' });
      await r.upstream.closed;
      expect(r.upstream.received.map((m) => m.data.toString('hex'))).toEqual(['006c730d', '0004']);
      const rest = await fetch(`${t.origin}/clusters/fake/api/v1/pods`, { headers: { Cookie: cookie } });
      expect(rest.status).toBe(401);
    } finally {
      await t.close();
    }
  });
});

describe('connections per session', () => {
  it('at most maxRelaysPerSession open at once (429, no upstream connection); refused and closed ones free their slot', async () => {
    const t = await startTestPorthole(fake, certs, { maxRelaysPerSession: 2 });
    try {
      const cookie = await login(t);
      for (let i = 0; i < 3; i++) {
        const refused = await openBrowserSocket(
          t,
          '/clusters/fake/api/v1/namespaces/default/pods/missing/exec' + TTY_QUERY,
          {
            cookie,
          },
        );
        expect(refused.ok ? 101 : refused.status).toBe(404);
      }
      const a = await relayed(t, cookie);
      const b = await relayed(t, cookie);
      const connections = fake.connections;
      const third = await openBrowserSocket(t, SHELL_PATH + TTY_QUERY, { cookie });
      expect(third.ok ? 101 : third.status).toBe(429);
      expect(fake.connections).toBe(connections);
      // Another session has its own allowance.
      const other = await relayed(t, await login(t));
      a.ws.close(1000);
      await a.closed;
      await waitUntil(() => t.porthole.relays().length === 2, 'the closed relay is gone');
      const c = await relayed(t, cookie);
      for (const r of [b, c, other]) r.ws.close(1000);
      await Promise.all([b.closed, c.closed, other.closed]);
    } finally {
      await t.close();
    }
  });
});

describe('logout while the cluster is still answering', () => {
  it('the connection that completes afterwards is closed at once (4001) and its shell gets Ctrl-D', async () => {
    const t = await startTestPorthole(fake, certs);
    let release!: () => void;
    fake.beforeUpgrade = () => new Promise<void>((resolve) => (release = resolve));
    try {
      const cookie = await login(t);
      const upgrades = fake.requests.filter((r) => r.upgrade).length;
      const sessions = fake.sessions.length;
      const pending = openBrowserSocket(t, SHELL_PATH + TTY_QUERY, { cookie });
      await waitUntil(
        () => fake.requests.filter((r) => r.upgrade).length > upgrades,
        'the upgrade reached the cluster',
      );
      const logout = await fetch(`${t.origin}/porthole/api/logout`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: t.origin },
      });
      expect(logout.status).toBe(204);
      release();
      const result = await pending;
      await waitUntil(() => fake.sessions.length > sessions, 'the upstream session exists');
      const upstream = fake.sessions[fake.sessions.length - 1] as FakeSession;
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(await result.socket.closed).toEqual({ code: 4001, reason: 'session ended' });
      await upstream.closed;
      expect(upstream.received.map((m) => m.data.toString('hex'))).toEqual(['0004']);
    } finally {
      fake.beforeUpgrade = () => Promise.resolve();
      await t.close();
    }
  });
});

describe('shell limits', () => {
  it('a shell open for its maximum duration is closed (4003) even while busy, and its TTY exec gets Ctrl-D', async () => {
    const t = await startTestPorthole(fake, certs, { timing: { maxDurationMs: 600 } });
    try {
      const cookie = await login(t);
      const r = await relayed(t, cookie);
      // Keep it busy: the idle limit is not what ends it.
      const typing = setInterval(() => r.ws.send(Buffer.from('\x00x')), 50);
      try {
        expect(await r.closed).toEqual({ code: 4003, reason: 'shell reached its maximum duration (600ms)' });
      } finally {
        clearInterval(typing);
      }
      await r.upstream.closed;
      expect(r.upstream.received.at(-1)?.data.toString('hex')).toBe('0004');
    } finally {
      await t.close();
    }
  });

  it('logout closes every shell of that session within 2 s (the same cookie in another tab), not another session’s', async () => {
    const t = await startTestPorthole(fake, certs);
    try {
      const cookie = await login(t);
      const other = await login(t);
      const first = await relayed(t, cookie);
      const second = await relayed(t, cookie);
      const bystander = await relayed(t, other);
      const started = Date.now();
      const logout = await fetch(`${t.origin}/porthole/api/logout`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: t.origin, Cookie: cookie },
      });
      expect(logout.status).toBe(204);
      const closes = await Promise.all([first.closed, second.closed]);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(closes).toEqual([
        { code: 4001, reason: 'logged out' },
        { code: 4001, reason: 'logged out' },
      ]);
      expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
      bystander.ws.close(1000);
      await bystander.closed;
    } finally {
      await t.close();
    }
  });

  it('a session that expires without any request still closes its shells within 2 s (the sweep)', async () => {
    let clock = 2_000_000;
    const t = await startTestPorthole(fake, certs, {
      sessions: { idleTimeoutMs: 60_000, absoluteTimeoutMs: 120_000, now: () => clock },
    });
    try {
      const cookie = await login(t);
      const r = await relayed(t, cookie);
      clock += 120_000;
      const started = Date.now();
      expect(await r.closed).toEqual({ code: 4001, reason: 'session reached its maximum lifetime' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await t.close();
    }
  });
});
