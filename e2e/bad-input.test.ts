// Bad input through the browser and at the backend's door: each gets a precise message and loses nothing.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchChromium, newTestPage } from './browser.ts';
import { startTestPorthole, type Porthole } from './porthole.ts';
import { logIn, openTerminal, panel, run, typeInto, waitForLine, waitForStatus } from './app.ts';

let browser: Browser;

/** A GET with the path sent exactly as written: fetch and URL would resolve `..` and `%2e%2e` first. */
function rawGet(base: string, path: string, cookie: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers: { Cookie: cookie } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('against the local cluster', () => {
  let porthole: Porthole;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    porthole = await startTestPorthole();
    ({ context, page } = await newTestPage(browser, porthole.url));
  });

  afterAll(async () => {
    await context?.close();
    await porthole?.close();
  });

  /**
   * The picker only offers what the API listed, so an unknown pod or container reaches the UI through a stale
   * list: the pod list the page receives is edited to name a pod / container that does not exist, and the page
   * then tries it for real against the API.
   */
  async function withStaleList(edit: (list: { items: Array<Record<string, unknown>> }) => void): Promise<void> {
    await page.route('**/clusters/local/api/v1/namespaces/default/pods', async (route) => {
      const response = await route.fetch();
      const list = (await response.json()) as { items: Array<Record<string, unknown>> };
      edit(list);
      await route.fulfill({ response, json: list });
    });
    await logIn(page, porthole.loginUrl);
  }

  const cases = [
    {
      name: 'unknown pod',
      edit: (list: { items: Array<Record<string, unknown>> }) => {
        const shell = list.items.find((p) => (p.metadata as { name: string }).name === 'shell');
        list.items.push({ ...structuredClone(shell), metadata: { name: 'nope', namespace: 'default', uid: 'nope' } });
      },
      pod: 'nope',
      container: 'main',
      message: 'pods "nope" not found',
    },
    {
      name: 'unknown container',
      edit: (list: { items: Array<Record<string, unknown>> }) => {
        const shell = list.items.find((p) => (p.metadata as { name: string }).name === 'shell') as {
          spec: { containers: Array<{ name: string }> };
        };
        shell.spec.containers.push({ name: 'nope' });
      },
      pod: 'shell',
      container: 'nope',
      message: 'container nope is not valid for pod shell',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: the tab shows the API's message (${c.message})`, async () => {
      await page.unrouteAll();
      await withStaleList(c.edit);
      const label = `Exec into ${c.pod}/${c.container}`;
      await page.getByRole('button', { name: label, exact: true }).click();
      const tab = await page.evaluate(() => window.__portholeTest?.activeTab ?? null);
      expect(tab).not.toBeNull();
      const text = await waitForStatus(page, tab as string, 'failed');
      expect(text).toBe(c.message);
      await expect
        .poll(() =>
          panel(page, tab as string)
            .getByRole('button', { name: 'Reopen' })
            .count(),
        )
        .toBe(1);
    });
  }

  it('a 1 MiB paste arrives intact (sha256 of what the shell read equals the pasted text)', async () => {
    await page.unrouteAll();
    await logIn(page, porthole.loginUrl);
    const tab = await openTerminal(page, 'shell');
    // 16384 lines of 64 bytes: ASCII with é and € so 32 KiB stdin chunks split multi-byte characters.
    const lines: string[] = [];
    let seed = 12345;
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/';
    while (lines.length < 16384) {
      let line = '';
      while (Buffer.byteLength(line) < 58) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        line += alphabet[seed % 64];
      }
      line += lines.length % 2 ? 'é€' : 'xyzab';
      line = line.padEnd(63 - (Buffer.byteLength(line) - line.length), '.');
      lines.push(line);
    }
    const text = lines.join('\n') + '\n';
    const bytes = Buffer.from(text);
    expect(bytes.length).toBe(1024 * 1024);
    const want = createHash('sha256').update(bytes).digest('hex');

    // No echo (1 MiB back would only slow the test down); canonical mode, so Ctrl-D at a line start is EOF.
    await run(page, tab, 'stty -echo; echo ready-$((1+1))', /^ready-2$/);
    await typeInto(page, tab, 'sha256sum; stty echo\r');
    // A real paste event on xterm's textarea: xterm turns \n into \r, the TTY turns it back (icrnl).
    await panel(page, tab)
      .locator('.xterm-helper-textarea')
      .evaluate((textarea, data) => {
        const transfer = new DataTransfer();
        transfer.setData('text/plain', data);
        textarea.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
        );
      }, text);
    await page.keyboard.press('Control+D');
    const line = await waitForLine(page, tab, /^[0-9a-f]{64} {2}-$/, 60_000);
    expect(line).toBe(`${want}  -`);
  });
});

describe('paths outside the allowlist', () => {
  // The cluster here is a TCP listener that only counts connections: any upstream connection shows up.
  let upstream: Server;
  let connections = 0;
  const sockets = new Set<Socket>();
  let porthole: Porthole;
  let dir: string;
  let cookie: string;

  beforeAll(async () => {
    upstream = createServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as { port: number }).port;
    dir = await mkdtemp(join(tmpdir(), 'porthole-e2e-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: counting\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
        'users:',
        '- name: someone\n  user:\n    token: not-a-real-token',
        'contexts:',
        '- name: counting\n  context:\n    cluster: counting\n    user: someone',
        'current-context: counting',
        '',
      ].join('\n'),
    );
    porthole = await startTestPorthole({ kubeconfig });
    const login = await fetch(new URL('porthole/api/login', porthole.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: new URL(porthole.url).origin },
      body: JSON.stringify({ token: porthole.loginToken }),
    });
    expect(login.status).toBe(204);
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^porthole_session=/);
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await porthole?.close();
    await new Promise((resolve) => upstream?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const base = '/clusters/counting/';
  const restCases = [
    `${base}api/v1/secrets`,
    `${base}api/v1/namespaces/default/secrets`,
    `${base}api/v1/namespaces/default/pods/shell/log`,
    `${base}api/v1/namespaces/default/pods/shell/portforward`,
    `${base}apis/apps/v1/deployments`,
    `${base}api/v1/namespaces/default/pods/shell/exec/../../../../secrets`,
    `${base}api/v1/namespaces/default/pods/%2e%2e/secrets`,
    `${base}api/v1/namespaces/default/pods/shell/ephemeralcontainers`,
    `${base}api/v1/nodes`,
    `${base}version/../api/v1/secrets`,
    `/clusters/elsewhere/api/v1/namespaces`,
    `/porthole/api/secrets`,
  ];

  for (const path of restCases) {
    it(`GET ${path} → 403/404 with a JSON error, and no upstream connection`, async () => {
      const before = connections;
      const { status, body } = await rawGet(porthole.url, path, cookie);
      expect([403, 404]).toContain(status);
      const parsed = JSON.parse(body) as Record<string, unknown>;
      expect(typeof (parsed.error ?? parsed.message)).toBe('string');
      await new Promise((r) => setTimeout(r, 100));
      expect(connections).toBe(before);
    });
  }

  const upgradeCases = [
    `${base}api/v1/namespaces/default/pods/shell/portforward?ports=80`,
    `${base}api/v1/namespaces/default/pods/shell/proxy`,
    `${base}api/v1/namespaces/default/services/web/proxy`,
    `${base}api/v1/namespaces/default/pods/shell/ephemeralcontainers`,
    `${base}api/v1/namespaces/default/pods`,
  ];

  for (const path of upgradeCases) {
    it(`WebSocket ${path} → 403/404 and no upstream connection`, async () => {
      const before = connections;
      const url = new URL(path, porthole.url);
      url.protocol = 'ws:';
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url, ['v5.channel.k8s.io'], {
          headers: { Origin: new URL(porthole.url).origin, Cookie: cookie },
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          reject(new Error('upgrade accepted'));
        });
        ws.on('error', (error) => reject(error));
      });
      expect([403, 404]).toContain(status);
      await new Promise((r) => setTimeout(r, 100));
      expect(connections).toBe(before);
    });
  }

  it('an allowed read does reach the cluster (the counter works)', async () => {
    const before = connections;
    await fetch(new URL(`${base}api/v1/namespaces`, porthole.url), {
      headers: { Cookie: cookie },
      signal: AbortSignal.timeout(3000),
    }).catch(() => undefined);
    expect(connections).toBeGreaterThan(before);
  });
});
