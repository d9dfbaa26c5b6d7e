// The debugging shells in Debian's headless Chromium against the local cluster: "Debug this pod" with a target
// container attaches to an ephemeral container whose `ps` shows the target's processes; "Root shell, safely" opens
// a hostUsers: false debug pod where `id -u` is 0 while the host runs the shell under an unprivileged uid, and
// closing the tab deletes the pod.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newTestPage } from './browser.ts';
import { startTestPorthole, type Porthole } from './porthole.ts';
import { closeTab, eventually, logIn, run, tabIds, waitForStatus } from './app.ts';

let porthole: Porthole;
let browser: Browser;
let context: BrowserContext;
let page: Page;

function localApi(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const cluster = porthole.localCluster!;
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      new URL(path, cluster.server),
      {
        method,
        ca: cluster.caData,
        servername: 'localhost',
        headers: {
          Authorization: `Bearer ${cluster.token}`,
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Host processes running `sleep <marker>` (argv[0] as the shell or the runtime gave it), with their host uid. */
function hostSleepers(marker: string): number[] {
  const wanted = new RegExp(`^([^\\x00]*/)?sleep\\x00${marker}\\x00$`);
  const uids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!wanted.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) continue;
      uids.push(Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))![1]));
    } catch {
      // gone meanwhile
    }
  }
  return uids;
}

async function newTab(before: string[]): Promise<string> {
  const handle = await page.waitForFunction(
    (known) => Object.keys(window.__portholeTest?.tabs ?? {}).find((id) => !known.includes(id)) ?? null,
    before,
    { timeout: 30_000 },
  );
  const id = (await handle.jsonValue()) as string;
  await waitForStatus(page, id, 'connected');
  return id;
}

beforeAll(async () => {
  porthole = await startTestPorthole();
  // A pod with no shell tools of its own to speak of: its one process is `sleep 4545`.
  const created = await localApi('POST', '/api/v1/namespaces/default/pods', {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'distroless' },
    spec: { containers: [{ name: 'app', image: 'gcr.io/distroless/static', command: ['sleep', '4545'] }] },
  });
  expect(created.status).toBe(201);
  browser = await launchChromium();
  ({ context, page } = await newTestPage(browser, porthole.url));
  await logIn(page, porthole.loginUrl);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await porthole?.close();
});

describe('debugging shells in the pod view', () => {
  it('Debug this pod with target app: the ephemeral container attaches and `ps` shows the target’s processes', async () => {
    const pod = page.locator('.pod[data-pod="distroless"]');
    await pod.waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Debug distroless', exact: true }).click();
    const form = page.getByRole('form', { name: 'Debug distroless' });
    expect(await form.getByLabel('Image').inputValue()).toBe('busybox');
    await form.getByLabel('Target container').selectOption('app');
    const before = await tabIds(page);
    await form.getByRole('button', { name: 'Start debugger' }).click();
    const tab = await newTab(before);
    expect(await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.title, tab)).toMatch(
      /^attach default\/distroless\/debugger-[a-z0-9]{5}$/,
    );
    const line = await run(page, tab, 'ps -e -o args | grep -c "^[^ ]*sleep 4545$"', /^1$/);
    expect(line).toBe('1');
    await closeTab(page, tab);
  }, 90_000);

  it('Root shell, safely: id -u is 0 inside, the host runs it as an unprivileged uid, closing deletes the pod', async () => {
    await page.getByText('Root shell, safely', { exact: true }).click();
    const form = page.getByRole('form', { name: 'Root shell, safely' });
    expect(await form.innerText()).toMatch(/hostUsers: false.*Linux ≥ 6\.3/s);
    const before = await tabIds(page);
    await form.getByRole('button', { name: 'Open root shell' }).click();
    const tab = await newTab(before);
    const title = (await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.title, tab)) ?? '';
    const podName = /default\/(porthole-debug-[a-z0-9]{5})\/debug/.exec(title)?.[1];
    expect(podName).toBeDefined();
    const stored = (await localApi('GET', `/api/v1/namespaces/default/pods/${podName}`)).json as {
      spec: { hostUsers?: boolean };
    };
    expect(stored.spec.hostUsers).toBe(false);

    await run(page, tab, 'sleep 4646 & echo uid-$(id -u)', /^uid-0$/);
    const uids = await eventually(
      () => hostSleepers('4646'),
      (u) => u.length === 1,
    );
    expect(uids).toHaveLength(1);
    expect(uids[0]).not.toBe(0);

    await closeTab(page, tab);
    const status = await eventually(
      async () => (await localApi('GET', `/api/v1/namespaces/default/pods/${podName}`)).status,
      (s) => s === 404,
    );
    expect(status).toBe(404);
    expect(hostSleepers('4646')).toEqual([]);
    // The DELETE's answer (and its audit record) comes once the pod's processes were hung up.
    const writes = await eventually(
      () => porthole.debugWrites().map((w) => [w.verb, w.status]),
      (w) => w.length === 3,
    );
    expect(writes).toEqual([
      ['patch', 200],
      ['create', 201],
      ['delete', 200],
    ]);
  }, 90_000);
});
