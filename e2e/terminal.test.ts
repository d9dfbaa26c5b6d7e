// A person's path through the pod terminals, in Debian's headless Chromium against Porthole and its embedded
// local cluster: log in, open shells, type, resize, exit, attach, several tabs, close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchChromium, newTestPage } from './browser.ts';
import { startTestPorthole, type Porthole } from './porthole.ts';
import {
  bufferLines,
  closeTab,
  eventually,
  expectTtyToFollowPageResize,
  logIn,
  openTerminal,
  panel,
  run,
  statusText,
  typeInto,
  waitForLine,
  waitForStatus,
} from './app.ts';

let porthole: Porthole;
let browser: Browser;
let context: BrowserContext;
let page: Page;

function cluster() {
  const local = porthole.localCluster;
  if (!local) throw new Error('Porthole started without its local cluster');
  return local;
}

/** The exec processes the local cluster runs in the `shell` pod right now. */
function shellExecPids(): number[] {
  return cluster()
    .processes()
    .filter((p) => p.pod === 'shell' && p.kind === 'exec')
    .map((p) => p.pid)
    .sort();
}

beforeAll(async () => {
  porthole = await startTestPorthole();
  browser = await launchChromium();
  ({ context, page } = await newTestPage(browser, porthole.url));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await porthole?.close();
});

describe('logging in', () => {
  it('without a token shows the not-logged-in screen that names porthole serve', async () => {
    const other = await browser.newContext();
    try {
      const anonymous = await other.newPage();
      await anonymous.goto(porthole.url);
      const dialog = anonymous.getByRole('alertdialog');
      await expect.poll(() => dialog.textContent()).toContain('Not logged in');
      expect(await dialog.textContent()).toContain('porthole serve');
      expect(await anonymous.locator('.pod').count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('with a wrong token says the link was not accepted', async () => {
    const other = await browser.newContext();
    try {
      const anonymous = await other.newPage();
      await anonymous.goto(`${porthole.url}#login=not-the-token`);
      const dialog = anonymous.getByRole('alertdialog');
      await expect.poll(() => dialog.textContent()).toContain('That login link was not accepted');
      expect(new URL(anonymous.url()).hash).toBe('');
    } finally {
      await other.close();
    }
  });

  it('with the token from the URL: lists the pods, removes the token from the address bar, sets an HttpOnly cookie', async () => {
    await logIn(page, porthole.loginUrl);
    expect(new URL(page.url()).hash).toBe('');
    const pods = await page.locator('.pod[data-pod]').evaluateAll((els) => els.map((e) => e.getAttribute('data-pod')));
    expect(pods).toEqual(expect.arrayContaining(['shell', 'ticker', 'multi']));
    const cookies = await context.cookies(porthole.url);
    const session = cookies.find((c) => c.name === 'porthole_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    expect(await page.evaluate(() => document.cookie)).not.toContain('porthole_session');
  });

  it('shows the multi pod’s init container labelled and its annotated default container', async () => {
    const multi = page.locator('.pod[data-pod="multi"]');
    await expect
      .poll(() => multi.locator('.container[data-container="init"] .badge').textContent())
      .toBe('init container');
    expect(await multi.locator('.container[data-container="app"] .badge-default').count()).toBe(1);
    expect(await multi.locator('.container[data-container="sidecar"] .badge-default').count()).toBe(0);
  });
});

describe('a shell in a tab', () => {
  let tab: string;

  it('opens on shell/main and answers echo $((6*7)) with 42', async () => {
    tab = await openTerminal(page, 'shell');
    expect(await statusText(page, tab)).toMatch(/^connected \(protocol v5\)$/);
    await run(page, tab, 'echo $((6*7))', /^42$/);
  });

  it('follows a page resize with the remote TTY size (stty size)', async () => {
    await expectTtyToFollowPageResize(page, tab);
  });

  it('shows "exited with code 3" after exit 3, and Reopen starts a new shell', async () => {
    await typeInto(page, tab, 'exit 3\r');
    expect(await waitForStatus(page, tab, 'exited')).toBe('exited with code 3');
    await panel(page, tab).getByRole('button', { name: 'Reopen' }).click();
    await waitForStatus(page, tab, 'connected');
    await run(page, tab, 'echo again-$((40+2))', /^again-42$/);
  });

  it('after closing the tab, its shell process is gone', async () => {
    const running = shellExecPids();
    expect(running.length).toBeGreaterThan(0);
    await closeTab(page, tab);
    const left = await eventually(shellExecPids, (pids) => pids.length === 0);
    expect(left).toEqual([]);
  });
});

describe('output', () => {
  it('arrives whole: every byte a command prints reaches Terminal.write (1.5 MiB of random input as base64)', async () => {
    const input = 1536 * 1024;
    const text = 4 * Math.ceil(input / 3);
    const expected = text + 2 * Math.ceil(text / 76); // 76-column lines, CRLF from the TTY
    await page.getByLabel('Exec command').fill(`head -c ${input} /dev/urandom | base64`);
    let tab: string | null = null;
    try {
      tab = await openTerminal(page, 'shell');
      expect(await waitForStatus(page, tab, 'exited', 60_000)).toBe('exited with code 0');
      await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.idle(), tab);
      const written = await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.bytesWritten, tab);
      // First the page's part: everything the backend relayed from the cluster reached Terminal.write. Output
      // payload = bytes relayed − one channel byte per message − the channel-3 Success status.
      const relay = porthole.finishedRelays().at(-1);
      expect(relay?.target.pod).toBe('shell');
      const relayedOutput =
        (relay?.bytesFromUpstream ?? 0) -
        (relay?.messagesFromUpstream ?? 0) -
        '{"metadata":{},"status":"Success"}'.length;
      expect(written, 'bytes the backend relayed vs bytes at Terminal.write').toBe(relayedOutput);
      // Then end to end: what the process printed (short here only = lost before the backend, cluster side).
      expect(written, 'bytes the process printed vs bytes at Terminal.write').toBe(expected);
      const lines = (await bufferLines(page, tab)).filter((l) => l !== '');
      // The tail too: the last base64 line is the remainder of the text after full 76-column lines.
      expect(lines.at(-1)).toMatch(new RegExp(`^[A-Za-z0-9+/]{${text % 76 || 76}}$`));
    } finally {
      await page.getByLabel('Exec command').fill('');
      if (tab) await closeTab(page, tab);
    }
  });
  it('under a flood the page holds a bounded amount: xterm never has more than ~1 MiB unparsed, reading pauses', async () => {
    await page.getByLabel('Exec command').fill('head -c 6291456 /dev/urandom | base64');
    let tab: string | null = null;
    try {
      tab = await openTerminal(page, 'shell');
      await waitForStatus(page, tab, 'exited', 90_000);
      await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.idle(), tab);
      const flow = await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.flow(), tab);
      // On this 2-core machine xterm falls behind and the pacer pauses reading (flow.pauses > 0); on a fast one it
      // may keep up. Either way these bounds hold.
      expect(flow).toBeTruthy();
      expect(flow?.maxUnparsedBytes).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024); // high water + one message
      // WebSocketStream stops reading while paused, so little piles up ahead of xterm either.
      expect(flow?.maxQueuedBytes).toBeLessThanOrEqual(256 * 1024);
    } finally {
      await page.getByLabel('Exec command').fill('');
      if (tab) await closeTab(page, tab);
    }
  });
});

describe('attach', () => {
  it('to ticker shows new lines arriving', async () => {
    const tab = await openTerminal(page, 'ticker', 'main', 'attach');
    const numbers = async () =>
      (await bufferLines(page, tab)).flatMap((line) => {
        const m = /(\d+)\s*$/.exec(line);
        return m?.[1] ? [Number(m[1])] : [];
      });
    const first = await eventually(numbers, (n) => n.length > 0);
    const later = await eventually(numbers, (n) => Math.max(...n) >= Math.max(...first) + 2, 8_000);
    expect(Math.max(...later)).toBeGreaterThanOrEqual(Math.max(...first) + 2);
    await closeTab(page, tab);
    // Closing an attach tab must not end the container's main process: it keeps ticking for the next person.
    const tab2 = await openTerminal(page, 'ticker', 'main', 'attach');
    await waitForLine(page, tab2, /\d+\s*$/);
    expect(
      cluster()
        .processes()
        .some((p) => p.pod === 'ticker' && p.kind === 'main'),
    ).toBe(true);
    await closeTab(page, tab2);
  });
});

describe('two tabs at once', () => {
  it('each has its own shell and output', async () => {
    const a = await openTerminal(page, 'shell');
    const b = await openTerminal(page, 'shell');
    expect(a).not.toBe(b);
    await eventually(shellExecPids, (pids) => pids.length === 2);
    expect(new Set(shellExecPids()).size).toBe(2);
    // b is the active tab; write in b, then switch to a and write there.
    await run(page, b, 'echo tab-b-$((2*2))', /^tab-b-4$/);
    expect(await page.getByRole('tab').allInnerTexts()).toEqual(['default/shell/main', 'default/shell/main (2)']);
    await page.getByRole('tab', { name: 'default/shell/main', exact: true }).click();
    await run(page, a, 'echo tab-a-$((3*3))', /^tab-a-9$/);
    expect((await bufferLines(page, a)).some((l) => l === 'tab-b-4')).toBe(false);
    expect((await bufferLines(page, b)).some((l) => l === 'tab-a-9')).toBe(false);
    expect(await statusText(page, b)).toMatch(/^connected/);
    await closeTab(page, a);
    await closeTab(page, b);
    expect(await eventually(shellExecPids, (pids) => pids.length === 0)).toEqual([]);
  });
});

describe('a WebSocket upgrade from a foreign Origin', () => {
  it('is refused with 403 and starts no process', async () => {
    const cookie = (await context.cookies(porthole.url)).find((c) => c.name === 'porthole_session');
    expect(cookie).toBeDefined();
    const before = cluster().processes().length;
    const url = new URL('clusters/local/api/v1/namespaces/default/pods/shell/exec', porthole.url);
    url.protocol = 'ws:';
    url.search = 'command=sh&container=main&stdin=true&stdout=true&tty=true';
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
        headers: { Origin: 'http://evil.example', Cookie: `porthole_session=${cookie?.value}` },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        reject(new Error('the upgrade from a foreign Origin was accepted'));
      });
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
    await new Promise((r) => setTimeout(r, 500));
    expect(cluster().processes().length).toBe(before);
  });
});
