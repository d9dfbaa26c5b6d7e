// The WebSocket pass-through against a fake cluster: every refusal happens before any upstream connection,
// the browser only gets a 101 when the cluster gave one, messages cross byte-exact, closes are mirrored, a
// dropped TTY exec gets its Ctrl-D, and a slow reader on either side pauses the other instead of growing memory.

import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { startFakeCluster, type FakeCluster, type FakeSession } from './testing/fake-cluster.ts';
import {
  FAKE_TOKEN,
  SHELL_PATH,
  TTY_QUERY,
  login,
  openBrowserSocket,
  startTestPorthole,
  waitUntil,
  type BrowserSocket,
  type TestPorthole,
} from './testing/harness.ts';
import { makeTestCertificates, type TestCertificates } from './testing/tls.ts';

let certs: TestCertificates;
let fake: FakeCluster;
let t: TestPorthole;
let cookie: string;

beforeAll(async () => {
  certs = makeTestCertificates();
  fake = await startFakeCluster({ certs, token: FAKE_TOKEN });
  t = await startTestPorthole(fake, certs, { limits: { highWaterMark: 256 * 1024, lowWaterMark: 64 * 1024 } });
  cookie = await login(t);
});

afterAll(async () => {
  await t.close();
  await fake.close();
});

afterEach(() => {
  fake.onSession = () => {};
});

async function open(path = SHELL_PATH + TTY_QUERY, protocols?: string[]): Promise<BrowserSocket> {
  const result = await openBrowserSocket(t, path, { cookie, ...(protocols ? { protocols } : {}) });
  if (!result.ok) throw new Error(`upgrade refused: ${result.status} ${result.body}`);
  return result.socket;
}

async function openWithUpstream(path?: string): Promise<{ browser: BrowserSocket; upstream: FakeSession }> {
  const before = fake.sessions.length;
  const browser = await open(path);
  await waitUntil(() => fake.sessions.length > before, 'the fake cluster accepted the upstream WebSocket');
  const upstream = fake.sessions[fake.sessions.length - 1];
  if (!upstream) throw new Error('no upstream session');
  return { browser, upstream };
}

/** Sends an upgrade request with the path exactly as given (http.request does not normalize it). */
function rawUpgradeStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(t.origin);
    const req = request({
      hostname,
      port,
      path, // as given: a URL string would be normalized first
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
        Origin: t.origin,
        Cookie: cookie,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('checks in the upgrade handler, before any upstream connection', () => {
  const refusals: Array<{ name: string; path: string; origin?: string | null; cookie?: string; status: number }> = [
    { name: 'foreign Origin', path: SHELL_PATH + TTY_QUERY, origin: 'http://evil.example', status: 403 },
    { name: 'missing Origin', path: SHELL_PATH + TTY_QUERY, origin: null, status: 403 },
    { name: 'Origin "null"', path: SHELL_PATH + TTY_QUERY, origin: 'null', status: 403 },
    { name: 'no session cookie', path: SHELL_PATH + TTY_QUERY, cookie: '', status: 401 },
    { name: 'unknown session', path: SHELL_PATH + TTY_QUERY, cookie: 'porthole_session=forged', status: 401 },
    { name: 'secrets', path: '/clusters/fake/api/v1/secrets', status: 403 },
    { name: 'portforward', path: '/clusters/fake/api/v1/namespaces/default/pods/shell/portforward', status: 403 },
    { name: 'pod logs', path: '/clusters/fake/api/v1/namespaces/default/pods/shell/log', status: 403 },
    // (a WHATWG URL resolves the dots before sending: what arrives is namespaces/secrets/exec)
    {
      name: 'dot-dot, as a browser sends it',
      path: '/clusters/fake/api/v1/namespaces/default/pods/../../secrets/exec',
      status: 403,
    },
    { name: 'encoded slash', path: '/clusters/fake/api/v1/namespaces/default/pods/a%2fb/exec', status: 404 },
    { name: 'list path', path: '/clusters/fake/api/v1/namespaces/default/pods', status: 403 },
    { name: 'unknown cluster', path: '/clusters/other/api/v1/namespaces/default/pods/shell/exec', status: 404 },
    { name: 'query key not allowed', path: SHELL_PATH + '?command=sh&stdout=1&follow=true', status: 403 },
    { name: 'outside /clusters', path: '/porthole/api/session', status: 404 },
  ];
  it.each(refusals)('$name → $status and no upstream connection', async ({ path, origin, cookie: c, status }) => {
    const connections = fake.connections;
    const requests = fake.requests.length;
    const result = await openBrowserSocket(t, path, {
      cookie: c ?? cookie,
      ...(origin !== undefined ? { origin } : {}),
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(status);
    expect(JSON.parse(result.body)).toHaveProperty('error');
    expect(fake.connections).toBe(connections);
    expect(fake.requests.length).toBe(requests);
  });

  it.each([
    '/clusters/fake/api/v1/namespaces/default/pods/../../secrets/exec',
    '/clusters/fake/api/v1/namespaces/default/pods/shell/../x/exec',
    '/clusters/fake/api/v1/namespaces/default/pods/%2e%2e/exec',
    '/clusters/fake/api//v1/namespaces/default/pods/shell/exec',
  ])('raw %s (not normalized by a client) → 404 and no upstream connection', async (path) => {
    const connections = fake.connections;
    const status = await rawUpgradeStatus(path);
    expect(status).toBe(404);
    expect(fake.connections).toBe(connections);
  });

  it('an Origin that only starts like ours is foreign', async () => {
    const connections = fake.connections;
    const result = await openBrowserSocket(t, SHELL_PATH + TTY_QUERY, { cookie, origin: `${t.origin}.evil.example` });
    expect(result.ok ? 101 : result.status).toBe(403);
    expect(fake.connections).toBe(connections);
  });
});

describe('the upstream handshake decides', () => {
  it('upstream 404 reaches the browser as 404 with the Status body, never a 101', async () => {
    const result = await openBrowserSocket(
      t,
      '/clusters/fake/api/v1/namespaces/default/pods/missing/exec' + TTY_QUERY,
      {
        cookie,
      },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(404);
    expect(JSON.parse(result.body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'pods "missing" not found',
    });
  });

  it("upstream's bare 403 (no acceptable subprotocol) reaches the browser as 403", async () => {
    const result = await openBrowserSocket(
      t,
      '/clusters/fake/api/v1/namespaces/default/pods/noprotocol/exec' + TTY_QUERY,
      {
        cookie,
      },
    );
    expect(result.ok ? 101 : result.status).toBe(403);
  });

  it('the browser gets the protocol upstream chose, not its own first choice', async () => {
    const { browser, upstream } = await (async () => {
      const before = fake.sessions.length;
      const b = await open(SHELL_PATH + TTY_QUERY, ['v4.channel.k8s.io', 'v5.channel.k8s.io']);
      await waitUntil(() => fake.sessions.length > before, 'upstream session');
      return { browser: b, upstream: fake.sessions[fake.sessions.length - 1] as FakeSession };
    })();
    expect(upstream.protocol).toBe('v5.channel.k8s.io');
    expect(browser.ws.protocol).toBe('v5.channel.k8s.io');
    browser.ws.close(1000);
    await browser.closed;
  });

  it('injects the cluster credential, offers the browser subprotocols minus credentials, forwards no cookie or Origin', async () => {
    const before = fake.sessions.length;
    const browser = await open(SHELL_PATH + TTY_QUERY, [
      'v5.channel.k8s.io',
      'v4.channel.k8s.io',
      'base64url.bearer.authorization.k8s.io.c2VrcmV0LXRva2Vu',
    ]);
    await waitUntil(() => fake.sessions.length > before, 'upstream session');
    const upstream = fake.sessions[fake.sessions.length - 1] as FakeSession;
    expect(upstream.headers.authorization).toBe(`Bearer ${FAKE_TOKEN}`);
    expect(upstream.headers['sec-websocket-protocol']).toBe('v5.channel.k8s.io,v4.channel.k8s.io');
    expect(upstream.headers.cookie).toBeUndefined();
    expect(upstream.headers.origin).toBeUndefined();
    expect(upstream.url).toBe('/api/v1/namespaces/default/pods/shell/exec' + TTY_QUERY);
    browser.ws.close(1000);
    await browser.closed;
  });
});

describe('relaying messages', () => {
  it('relays byte-exact both ways, 1 MB binary and text frames, one message for one message', async () => {
    const { browser, upstream } = await openWithUpstream();
    const initial = Buffer.from([0x01]);
    upstream.ws.send(initial);
    const big = Buffer.alloc(1_000_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 8)) & 0xff;
    const bigUp = Buffer.concat([Buffer.from([0x01]), big]);
    const bigDown = Buffer.concat([Buffer.from([0x00]), big.reverse()]);
    upstream.ws.send(bigUp);
    upstream.ws.send('3 text from upstream');
    browser.ws.send(bigDown);
    browser.ws.send('0 text from browser');
    browser.ws.send(Buffer.from([0x04, 0x7b, 0x7d]));

    await waitUntil(() => browser.messages.length >= 3, 'three messages reached the browser');
    await waitUntil(() => upstream.received.length >= 3, 'three messages reached upstream');
    expect(browser.messages.map((m) => [m.isBinary, m.data.length])).toEqual([
      [true, 1],
      [true, 1_000_001],
      [false, 20],
    ]);
    expect(sha(browser.messages[1]?.data ?? Buffer.alloc(0))).toBe(sha(bigUp));
    expect(browser.messages[2]?.data.toString()).toBe('3 text from upstream');
    expect(upstream.received.map((m) => [m.isBinary, m.data.length])).toEqual([
      [true, 1_000_001],
      [false, 19],
      [true, 3],
    ]);
    expect(sha(upstream.received[0]?.data ?? Buffer.alloc(0))).toBe(sha(bigDown));
    expect(upstream.received[1]?.data.toString()).toBe('0 text from browser');

    const stats = t.porthole.relays().find((r) => r.bytesFromBrowser === 1_000_001 + 19 + 3);
    expect(stats?.bytesFromUpstream).toBe(1 + 1_000_001 + 20);
    browser.ws.close(1000);
    await browser.closed;
  });
});

describe('closes', () => {
  it.each([
    { upstreamCode: 1000, browserCode: 1000 },
    { upstreamCode: 1011, browserCode: 1011 },
    { upstreamCode: 4000, browserCode: 4000 },
  ])('upstream close $upstreamCode → browser $browserCode', async ({ upstreamCode, browserCode }) => {
    const { browser, upstream } = await openWithUpstream();
    upstream.ws.send(Buffer.from('\x03{"metadata":{},"status":"Success"}'));
    upstream.ws.close(upstreamCode);
    const closed = await browser.closed;
    expect(closed.code).toBe(browserCode);
    // The status sent before the close arrives before it.
    expect(browser.messages.at(-1)?.data.toString()).toContain('"status":"Success"');
  });

  it('an upstream that drops TCP without a close frame → browser 1011 (dropped, not exited)', async () => {
    const { browser, upstream } = await openWithUpstream();
    upstream.ws.terminate();
    const closed = await browser.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toBe('upstream connection lost');
  });

  it('a clean browser close 1000 is mirrored upstream without a Ctrl-D', async () => {
    const { browser, upstream } = await openWithUpstream();
    browser.ws.send(Buffer.from('\x00exit\r'));
    browser.ws.close(1000);
    expect((await upstream.closed).code).toBe(1000);
    expect(upstream.received.map((m) => m.data.toString('hex'))).toEqual([Buffer.from('\x00exit\r').toString('hex')]);
  });

  it.each([
    { name: 'TTY exec', query: TTY_QUERY, subresource: 'exec', eot: true },
    {
      name: 'non-TTY exec',
      query: '?command=cat&container=main&stdin=true&stdout=true&stderr=true',
      subresource: 'exec',
      eot: false,
    },
    { name: 'TTY attach', query: '?container=main&stdin=true&stdout=true&tty=true', subresource: 'attach', eot: false },
  ])(
    'a browser that drops a $name without a clean close: Ctrl-D sent upstream = $eot',
    async ({ query, subresource, eot }) => {
      const { browser, upstream } = await openWithUpstream(
        `/clusters/fake/api/v1/namespaces/default/pods/shell/${subresource}${query}`,
      );
      browser.ws.send(Buffer.from('\x00ls\r'));
      await waitUntil(() => upstream.received.length === 1, 'the keystrokes reached upstream');
      browser.ws.terminate(); // the tab is gone: TCP closed, no close frame
      await upstream.closed;
      const frames = upstream.received.map((m) => m.data.toString('hex'));
      expect(frames).toEqual(eot ? ['006c730d', '0004'] : ['006c730d']);
    },
  );

  it.each([
    { protocols: ['v4.channel.k8s.io'], frames: [[true, '0004']] },
    { protocols: ['channel.k8s.io'], frames: [[true, '0004']] },
    { protocols: ['base64.channel.k8s.io'], frames: [[false, Buffer.from('0BA==').toString('hex')]] },
    { protocols: ['v4.base64.channel.k8s.io'], frames: [[false, Buffer.from('0BA==').toString('hex')]] },
  ])('the Ctrl-D of a dropped TTY exec speaks the negotiated $protocols framing', async ({ protocols, frames }) => {
    const before = fake.sessions.length;
    const browser = await open(SHELL_PATH + TTY_QUERY, protocols);
    await waitUntil(() => fake.sessions.length > before, 'upstream session');
    const upstream = fake.sessions[fake.sessions.length - 1] as FakeSession;
    expect(upstream.protocol).toBe(protocols[0]);
    browser.ws.terminate();
    await upstream.closed;
    expect(upstream.received.map((m) => [m.isBinary, m.data.toString('hex')])).toEqual(frames);
  });

  it('logout closes the session’s shells within 2 s: browser 4001 "logged out", Ctrl-D and close upstream', async () => {
    const otherCookie = await login(t);
    const before = fake.sessions.length;
    const result = await openBrowserSocket(t, SHELL_PATH + TTY_QUERY, { cookie: otherCookie });
    if (!result.ok) throw new Error('refused');
    await waitUntil(() => fake.sessions.length > before, 'upstream session');
    const upstream = fake.sessions[fake.sessions.length - 1] as FakeSession;
    const loggedOutAt = Date.now();
    const response = await fetch(`${t.origin}/porthole/api/logout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: t.origin, Cookie: otherCookie },
    });
    expect(response.status).toBe(204);
    expect(await result.socket.closed).toEqual({ code: 4001, reason: 'logged out' });
    expect(Date.now() - loggedOutAt).toBeLessThan(2000);
    await upstream.closed;
    expect(upstream.received.map((m) => m.data.toString('hex'))).toEqual(['0004']);
    // The session is gone for REST too.
    const again = await fetch(`${t.origin}/porthole/api/session`, { headers: { Cookie: otherCookie } });
    expect(again.status).toBe(401);
  });
});

describe('backpressure', () => {
  const CHUNK = 64 * 1024;
  const FLOOD_LIMIT = 64 * 1024 * 1024;

  /**
   * Sends CHUNK-sized messages until `total` is sent ('done': nothing held the sender back) or until the relay
   * has paused reading from this sender and the sender's own buffer passed `stuckAt` ('stuck': the pause
   * reached the sender through TCP).
   */
  function flood(
    ws: WebSocket,
    total: number,
    stuckAt: number,
    relayPaused: () => boolean,
  ): Promise<{ sent: number; outcome: 'stuck' | 'done' }> {
    const chunk = Buffer.alloc(CHUNK, 0x61);
    chunk[0] = 0x01;
    let sent = 0;
    return new Promise((resolve) => {
      const pump = () => {
        while (sent < total) {
          if (ws.bufferedAmount > stuckAt && relayPaused()) {
            resolve({ sent, outcome: 'stuck' });
            return;
          }
          ws.send(chunk);
          sent += CHUNK;
          if (sent % (16 * CHUNK) === 0) {
            setImmediate(pump); // let the sockets move
            return;
          }
        }
        resolve({ sent, outcome: 'done' });
      };
      pump();
    });
  }

  it('a browser that stops reading pauses upstream; the relay holds a bounded backlog', async () => {
    const { browser, upstream } = await openWithUpstream();
    browser.ws.pause(); // the tab stops reading
    const [stats] = t.porthole.relays();
    if (!stats || t.porthole.relays().length !== 1) throw new Error('expected exactly one live relay');
    const result = await flood(upstream.ws, FLOOD_LIMIT, 4 * 1024 * 1024, () => stats.upstreamPaused);
    expect(result.outcome).toBe('stuck');
    expect(stats.upstreamPauses).toBeGreaterThanOrEqual(1);
    expect(stats.upstreamPaused).toBe(true);
    // High-water mark 256 KiB plus at most what was already parsed from one socket read.
    expect(stats.maxPendingToBrowser).toBeLessThan(256 * 1024 + 2 * CHUNK + 64 * 1024);
    expect(stats.bytesFromUpstream).toBeLessThan(result.sent);
    // Reading again drains everything, intact and in order.
    browser.ws.resume();
    await waitUntil(
      () => browser.messages.reduce((n, m) => n + m.data.length, 0) === result.sent,
      'everything arrived',
    );
    expect(browser.messages.every((m) => m.data.length === CHUNK && m.data[0] === 0x01)).toBe(true);
    browser.ws.close(1000);
    await browser.closed;
  });

  it('a cluster that stops reading pauses the browser; the relay holds a bounded backlog', async () => {
    const { browser, upstream } = await openWithUpstream();
    upstream.ws.pause(); // the cluster stops reading
    const [stats] = t.porthole.relays();
    if (!stats || t.porthole.relays().length !== 1) throw new Error('expected exactly one live relay');
    const result = await flood(browser.ws, FLOOD_LIMIT, 4 * 1024 * 1024, () => stats.browserPaused);
    expect(result.outcome).toBe('stuck');
    expect(stats.browserPauses).toBeGreaterThanOrEqual(1);
    expect(stats.browserPaused).toBe(true);
    expect(stats.maxPendingToUpstream).toBeLessThan(256 * 1024 + 2 * CHUNK + 64 * 1024);
    expect(stats.bytesFromBrowser).toBeLessThan(result.sent);
    upstream.ws.resume();
    await waitUntil(
      () => upstream.received.reduce((n, m) => n + m.data.length, 0) === result.sent,
      'everything arrived',
    );
    browser.ws.close(1000);
    await browser.closed;
  });
});
