// Test-only: starts Porthole in front of a fake cluster (through a real kubeconfig file), logs in, and opens
// browser-like WebSockets (with Origin and Cookie, as Chromium sends them).

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startPorthole, type Porthole, type PortholeOptions } from '../server.ts';
import type { FakeCluster, FakeFrame } from './fake-cluster.ts';
import type { TestCertificates } from './tls.ts';

export const FAKE_TOKEN = 'fake-cluster-token-for-tests';

export interface TestPorthole {
  porthole: Porthole;
  origin: string;
  logs: string[];
  dir: string;
  close(): Promise<void>;
}

export function writeDist(dir: string): string {
  const dist = join(dir, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(
    join(dist, 'index.html'),
    '<!doctype html><title>Porthole</title><script type="module" src="/assets/index-abc123.js"></script>',
  );
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dist;
}

export async function startTestPorthole(
  fake: FakeCluster,
  certs: TestCertificates,
  options: Partial<PortholeOptions> = {},
  /** The kubeconfig user's fields (default: the fake's bearer token). */
  user: Record<string, string> = { token: FAKE_TOKEN },
): Promise<TestPorthole> {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${fake.url}`,
      `    certificate-authority-data: ${Buffer.from(certs.caPem).toString('base64')}`,
      'users:',
      '- name: tester',
      '  user:',
      ...Object.entries(user).map(([k, v]) => `    ${k}: ${v}`),
      'contexts:',
      '- name: fake',
      '  context: {cluster: fake, user: tester}',
      'current-context: fake',
      '',
    ].join('\n'),
  );
  const logs: string[] = [];
  const porthole = await startPorthole({
    port: 0,
    kubeconfig,
    distDir: writeDist(dir),
    log: (line) => logs.push(line),
    ...options,
  });
  return {
    porthole,
    origin: porthole.url.replace(/\/$/, ''),
    logs,
    dir,
    close: async () => {
      await porthole.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs in with the printed token; returns the Cookie header value to send back. */
export async function login(t: TestPorthole): Promise<string> {
  const response = await fetch(`${t.origin}/porthole/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: t.origin },
    body: JSON.stringify({ token: t.porthole.loginToken }),
  });
  if (response.status !== 204) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const setCookie = response.headers.get('set-cookie') ?? '';
  return setCookie.split(';')[0] ?? '';
}

export interface BrowserSocket {
  ws: WebSocket;
  messages: FakeFrame[];
  closed: Promise<{ code: number; reason: string }>;
}

export type OpenResult = { ok: true; socket: BrowserSocket } | { ok: false; status: number; body: string };

export const SHELL_PATH = '/clusters/fake/api/v1/namespaces/default/pods/shell/exec';
export const TTY_QUERY = '?command=sh&container=main&stdin=true&stdout=true&tty=true';

export function openBrowserSocket(
  t: TestPorthole,
  path: string,
  options: { cookie?: string; origin?: string | null; protocols?: string[]; maxPayload?: number } = {},
): Promise<OpenResult> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.Cookie = options.cookie;
  const origin = options.origin === undefined ? t.origin : options.origin;
  if (origin !== null) headers.Origin = origin;
  const ws = new WebSocket(
    t.origin.replace(/^http/, 'ws') + path,
    options.protocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
    {
      headers,
      perMessageDeflate: false,
      maxPayload: options.maxPayload ?? 64 * 1024 * 1024,
    },
  );
  const messages: FakeFrame[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => messages.push({ data, isBinary }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        req.destroy();
        resolve({ ok: false, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
      });
    });
    ws.on('open', () => resolve({ ok: true, socket: { ws, messages, closed } }));
    ws.on('error', (error) => reject(error));
  });
}

/** Polls until `check` holds; fails with `what` after `timeoutMs`. For waiting on events, never for asserting time. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
