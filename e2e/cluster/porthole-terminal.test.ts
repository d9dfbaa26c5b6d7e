// Porthole's browser terminal through upstream's kube-apiserver: Porthole serves the harness kubeconfig (the
// cluster appears under its context's name), and a person in Debian's headless Chromium logs in, picks that
// cluster, opens a shell and an attach. The apiserver translates the page's v5 WebSocket to SPDY towards the fake
// kubelet; with only v4 offered (page flag `?protocols=v4`) it takes the legacy pass-through path instead.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { launchChromium, newTestPage } from '../browser.ts';
import { startTestPorthole, type Porthole } from '../porthole.ts';
import {
  bufferLines,
  closeTab,
  eventually,
  expectTtyToFollowPageResize,
  openTerminal,
  run,
  statusText,
  terminalSize,
  typeInto,
  waitForStatus,
} from '../app.ts';
import { connectExec } from '../../server/exec-client.ts';
import {
  auditEvents,
  goAvailable,
  HARNESS_START_TIMEOUT_MS,
  reportSkipped,
  useHarness,
  type Harness,
} from './harness.ts';

reportSkipped('e2e/cluster/porthole-terminal.test.ts (Porthole’s browser terminal through a real kube-apiserver)');

/** A WebSocket handshake the page sent, as Chromium's network layer saw it (DevTools protocol). */
interface Handshake {
  url: string;
  headers: Record<string, string>;
}

describe.runIf(goAvailable)('Porthole’s terminal through the real kube-apiserver', () => {
  let harness: Harness;
  let porthole: Porthole;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  const handshakes = new Map<string, Handshake>();
  /** Every HTTP response body (text) the page received: none may carry a cluster credential. */
  const bodies: string[] = [];
  const requestHeaders: Array<Record<string, string>> = [];

  beforeAll(async () => {
    harness = await useHarness();
    porthole = await startTestPorthole({ kubeconfig: harness.ready.kubeconfig });
    browser = await launchChromium();
    ({ context, page } = await newTestPage(browser, porthole.url));
    cdp = await context.newCDPSession(page);
    cdp.on('Network.webSocketCreated', (e) => handshakes.set(e.requestId, { url: e.url, headers: {} }));
    cdp.on('Network.webSocketWillSendHandshakeRequest', (e) => {
      const known = handshakes.get(e.requestId);
      const headers = Object.fromEntries(Object.entries(e.request.headers).map(([k, v]) => [k.toLowerCase(), v]));
      handshakes.set(e.requestId, { url: known?.url ?? '', headers });
    });
    await cdp.send('Network.enable');
    page.on('request', (request) => void request.allHeaders().then((h) => requestHeaders.push(h)));
    page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (/json|text|javascript/.test(type))
        void response.text().then(
          (t) => bodies.push(t),
          () => {},
        );
    });
  }, HARNESS_START_TIMEOUT_MS);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await porthole?.close();
    await harness?.release();
  }, 60_000);

  const CLUSTER = () => harness.ready.context;

  /** Logs in with the link `porthole serve` prints (plus page flags), picks the harness cluster, waits for pods. */
  async function logInAndPickCluster(flags = ''): Promise<void> {
    const url = new URL(porthole.loginUrl);
    url.search = flags;
    await page.goto('about:blank');
    await page.goto(url.toString());
    const select = page.getByLabel('Cluster', { exact: true });
    await expect.poll(() => select.locator('option').allTextContents(), { timeout: 20_000 }).toContain(CLUSTER());
    await select.selectOption(CLUSTER());
    await page.locator('.pod[data-pod="shell"]').waitFor({ timeout: 20_000 });
  }

  /** The handshakes the page sent for exec/attach sessions, in the order they were created. */
  const sessionHandshakes = () => [...handshakes.values()].filter((h) => /\/pods\/[^/]+\/(exec|attach)\?/.test(h.url));

  it('lists the harness cluster under its context’s name and shows its pods', async () => {
    expect(porthole.clusters.map((c) => c.name)).toContain(CLUSTER());
    await logInAndPickCluster();
    const pods = await page.locator('.pod[data-pod]').evaluateAll((els) => els.map((e) => e.getAttribute('data-pod')));
    expect(pods).toEqual(expect.arrayContaining(['shell', 'ticker', 'multi']));
    expect(await page.locator('.pod[data-pod="shell"] .phase').textContent()).toBe('Running');
  });

  describe('a shell on default/shell (v5, translated to SPDY by the apiserver)', () => {
    let tab: string;

    it('negotiates v5 and answers echo $((6*7)) with 42', async () => {
      tab = await openTerminal(page, 'shell');
      expect(await statusText(page, tab)).toBe('connected (protocol v5)');
      await run(page, tab, 'echo $((6*7))', /^42$/);
      // The apiserver authorised a WebSocket upgrade (audit verb "get"; an SPDY POST would be "create").
      const verbs = await eventually(
        () => auditEvents(harness.ready, '/pods/shell/exec').map((e) => e.verb),
        (v) => v.length > 0,
      );
      expect(new Set(verbs)).toEqual(new Set(['get']));
    });

    it('follows a page resize with the remote TTY size (stty size)', async () => {
      await expectTtyToFollowPageResize(page, tab);
    });

    it('shows "exited with code 3" after exit 3', async () => {
      await typeInto(page, tab, 'exit 3\r');
      expect(await waitForStatus(page, tab, 'exited')).toBe('exited with code 3');
      await closeTab(page, tab);
    });
  });

  it('attach to default/ticker shows new lines arriving', async () => {
    const tab = await openTerminal(page, 'ticker', 'main', 'attach');
    expect(await statusText(page, tab)).toBe('connected (protocol v5)');
    const ticks = async () =>
      (await bufferLines(page, tab)).flatMap((line) => {
        const m = /^tick (\d+)\s*$/.exec(line);
        return m?.[1] ? [Number(m[1])] : [];
      });
    const first = await eventually(ticks, (n) => n.length > 0);
    expect(first.length).toBeGreaterThan(0);
    const later = await eventually(ticks, (n) => Math.max(...n) >= Math.max(...first) + 2, 8_000);
    expect(Math.max(...later)).toBeGreaterThanOrEqual(Math.max(...first) + 2);
    await closeTab(page, tab);
  });

  it('a non-TTY exec through the backend sees stdin EOF (v5 stdin CLOSE), with the page’s session cookie', async () => {
    // The UI opens only TTY sessions, so this uses the Node connector against Porthole's URL as the page would:
    // same Origin, the page's HttpOnly session cookie, and no cluster credential.
    const cookie = (await context.cookies(porthole.url)).find((c) => c.name === 'porthole_session');
    expect(cookie).toBeDefined();
    const origin = porthole.url.replace(/\/$/, '');
    const session = await connectExec({
      server: `${origin}/clusters/${encodeURIComponent(CLUSTER())}`,
      namespace: 'default',
      pod: 'shell',
      subresource: 'exec',
      exec: {
        command: ['sh', '-c', 'wc -c; echo after-eof-$((1+1))'],
        container: 'main',
        stdin: true,
        stdout: true,
        stderr: true,
        tty: false,
      },
      headers: { Origin: origin, Cookie: `porthole_session=${cookie?.value}` },
      keepaliveIntervalMs: 0,
    });
    expect(session.protocol).toBe('v5.channel.k8s.io');
    const out: Buffer[] = [];
    session.on('stdout', (b) => out.push(Buffer.from(b)));
    session.writeStdin(Buffer.from('twelve bytes'));
    session.closeStdin();
    const end = await session.ended;
    expect(
      Buffer.concat(out)
        .toString()
        .split('\n')
        .map((l) => l.trim()),
    ).toEqual(['12', 'after-eof-2', '']);
    expect(end.result).toEqual({ kind: 'success' });
  });

  describe('with only v4 offered (?protocols=v4): the apiserver’s legacy pass-through path', () => {
    let tab: string;

    it('the page offers v4.channel.k8s.io alone and the tab says protocol v4', async () => {
      await logInAndPickCluster('?protocols=v4');
      const before = sessionHandshakes().length;
      tab = await openTerminal(page, 'shell');
      expect(await statusText(page, tab)).toBe('connected (protocol v4)');
      const offered = await eventually(sessionHandshakes, (h) => h.length > before);
      expect(offered.at(-1)?.headers['sec-websocket-protocol']).toBe('v4.channel.k8s.io');
    });

    it('output works: echo $((6*7)) answers 42, and stty size follows a resize', async () => {
      await run(page, tab, 'echo v4-$((6*7))', /^v4-42$/);
      const before = await terminalSize(page, tab);
      await page.setViewportSize({ width: 900, height: 560 });
      const after = await eventually(
        () => terminalSize(page, tab),
        (s) => s.cols !== before.cols && s.rows !== before.rows,
      );
      await run(page, tab, 'echo v4size-$((1)) $(stty size)', new RegExp(`^v4size-1 ${after.rows} ${after.cols}$`));
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    it('shows "exited with code 3" after exit 3', async () => {
      await typeInto(page, tab, 'exit 3\r');
      expect(await waitForStatus(page, tab, 'exited')).toBe('exited with code 3');
      await closeTab(page, tab);
    });

    it('attach to default/ticker works over v4 too', async () => {
      const ticker = await openTerminal(page, 'ticker', 'main', 'attach');
      expect(await statusText(page, ticker)).toBe('connected (protocol v4)');
      const ticks = async () =>
        (await bufferLines(page, ticker)).flatMap((line) => {
          const m = /^tick (\d+)\s*$/.exec(line);
          return m?.[1] ? [Number(m[1])] : [];
        });
      const first = await eventually(ticks, (n) => n.length > 0);
      const later = await eventually(ticks, (n) => Math.max(...n) >= Math.max(...first) + 2, 8_000);
      expect(Math.max(...later)).toBeGreaterThanOrEqual(Math.max(...first) + 2);
      await closeTab(page, ticker);
    });
  });

  describe('the browser never saw a cluster credential', () => {
    /** The admin client certificate's key and the OIDC context's token, as the harness kubeconfig holds them. */
    function clusterSecrets(): string[] {
      const doc = parseYaml(readFileSync(harness.ready.kubeconfig, 'utf8')) as {
        users?: Array<{ user?: Record<string, string | undefined> }>;
      };
      const secrets: string[] = [readFileSync(harness.ready.adminKeyFile, 'utf8')];
      for (const u of doc.users ?? []) {
        for (const key of ['token', 'client-key-data', 'client-key']) {
          const value = u.user?.[key];
          if (value) secrets.push(key === 'client-key' ? readFileSync(value, 'utf8') : value);
        }
      }
      // PEM bodies compared without their line breaks: a JSON body would carry them escaped.
      return secrets.map((s) => s.replace(/-----[^-]+-----|\s/g, '')).filter((s) => s.length >= 32);
    }

    it('every session WebSocket went to Porthole’s origin, with no Authorization and no bearer subprotocol', () => {
      const sessions = sessionHandshakes();
      expect(sessions.length).toBeGreaterThanOrEqual(4); // shell + attach on v5, shell + attach on v4
      const origin = new URL(porthole.url);
      for (const h of sessions) {
        const url = new URL(h.url);
        expect(`${url.hostname}:${url.port}`).toBe(`${origin.hostname}:${origin.port}`);
        expect(url.pathname.startsWith(`/clusters/${encodeURIComponent(CLUSTER())}/api/v1/`)).toBe(true);
        expect(url.searchParams.has('access_token')).toBe(false);
        expect(h.headers.authorization).toBeUndefined();
        expect(h.headers['sec-websocket-protocol']).not.toMatch(/bearer|authorization/i);
        expect(h.headers.origin).toBe(porthole.url.replace(/\/$/, ''));
      }
      expect(new URL(harness.ready.server).port).not.toBe(origin.port);
    });

    it('no request the page made carried Authorization, and no response body held the kubeconfig’s keys or tokens', () => {
      expect(requestHeaders.length).toBeGreaterThan(0);
      for (const headers of requestHeaders) expect(Object.keys(headers)).not.toContain('authorization');
      const secrets = clusterSecrets();
      expect(secrets.length).toBeGreaterThanOrEqual(2); // the admin key and the OIDC token at least
      expect(bodies.length).toBeGreaterThan(0);
      for (const body of bodies) {
        const flat = body.replace(/\\n|\s/g, '');
        for (const secret of secrets) expect(flat.includes(secret), 'a response body holds a credential').toBe(false);
      }
    });
  });
});
