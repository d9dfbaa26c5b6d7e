// The terminal's own features, in Debian's headless Chromium: renderer choice, search, copy and paste, the
// session-expired screen that keeps open tabs, leaving the page, the picker's attach rules, the playground route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { launchChromium, newTestPage } from './browser.ts';
import { startTestPorthole, type Porthole } from './porthole.ts';
import { bufferLines, closeTab, logIn, openTerminal, panel, run, typeInto, waitForLine, waitForStatus } from './app.ts';

let porthole: Porthole;
let browser: Browser;
let context: BrowserContext;
let page: Page;

function shellExecs(): number {
  return (porthole.localCluster?.processes() ?? []).filter((p) => p.pod === 'shell' && p.kind === 'exec').length;
}

async function until(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

beforeAll(async () => {
  porthole = await startTestPorthole();
  browser = await launchChromium();
  ({ context, page } = await newTestPage(browser, porthole.url));
  await logIn(page, porthole.loginUrl);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await porthole?.close();
});

describe('renderer', () => {
  it('headless Chromium has only a software WebGL, so the DOM renderer runs, and the page says why', async () => {
    const tab = await openTerminal(page, 'shell');
    const renderer = panel(page, tab).locator('.renderer');
    expect(await renderer.innerText()).toBe('renderer: DOM');
    expect(await renderer.getAttribute('title')).toMatch(/software-rendered \(.*(SwiftShader|llvmpipe)/i);
    await closeTab(page, tab);
  });

  it('?renderer=webgl runs the WebGL renderer, and the terminal works with it', async () => {
    const other = await newTestPage(browser, porthole.url);
    try {
      const url = new URL(porthole.loginUrl);
      url.searchParams.set('renderer', 'webgl');
      await logIn(other.page, url.href);
      const tab = await openTerminal(other.page, 'shell');
      await expect.poll(() => panel(other.page, tab).locator('.renderer').innerText()).toBe('renderer: WebGL');
      expect(await other.page.locator(`[data-tab-id="${tab}"] canvas`).count()).toBeGreaterThan(0);
      await run(other.page, tab, 'echo gl-$((6*7))', /^gl-42$/);
    } finally {
      await other.context.close();
    }
  });
});

describe('search, copy and paste', () => {
  let tab: string;

  beforeAll(async () => {
    tab = await openTerminal(page, 'shell');
    await run(page, tab, 'echo needle-$((1+1)) haystack', /^needle-2 haystack$/);
  });

  it('Ctrl+Shift+F opens a search box that finds text in the terminal; Escape closes it', async () => {
    await page.keyboard.press('Control+Shift+F');
    const search = panel(page, tab).getByRole('search');
    await search.getByLabel('Find').fill('needle-2');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.controller.term.getSelection(), tab))
      .toBe('needle-2');
    await page.keyboard.press('Escape');
    expect(await search.count()).toBe(0);
  });

  it('Ctrl+Shift+C copies the selection to the clipboard (and sends no ^C)', async () => {
    await page.evaluate(() => navigator.clipboard.writeText('before'));
    await page.evaluate((id) => {
      const term = window.__portholeTest?.tabs?.[id]?.controller.term;
      const row = (term?.buffer.active.length ?? 0) - 1;
      // Select "haystack" on the line that printed it.
      for (let y = row; y >= 0; y--) {
        const text = term?.buffer.active.getLine(y)?.translateToString(true) ?? '';
        if (text === 'needle-2 haystack') {
          term?.select(9, y, 8);
          return;
        }
      }
    }, tab);
    await panel(page, tab).locator('.xterm-helper-textarea').focus();
    await page.keyboard.press('Control+Shift+C');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('haystack');
    await run(page, tab, 'echo still-$((2+2))', /^still-4$/);
    expect((await bufferLines(page, tab)).some((l) => l.endsWith('^C'))).toBe(false);
  });

  it('Ctrl+Shift+V pastes as a bracketed paste: the shell runs nothing until Enter', async () => {
    await page.evaluate(() => navigator.clipboard.writeText('echo bracketed-$((3*3))\n'));
    await panel(page, tab).locator('.xterm-helper-textarea').focus();
    await page.keyboard.press('Control+Shift+V');
    // The pasted text is on the command line, newline included, but not run: bash saw ESC[200~ … ESC[201~.
    await waitForLine(page, tab, /echo bracketed-\$\(\(3\*3\)\)$/);
    await new Promise((r) => setTimeout(r, 500));
    expect(await bufferLines(page, tab)).not.toContain('bracketed-9');
    await page.keyboard.press('Enter');
    await waitForLine(page, tab, /^bracketed-9$/);
  });

  it('the Paste button pastes the clipboard into the shell', async () => {
    await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((5*5))'));
    await panel(page, tab).getByRole('button', { name: 'Paste' }).click();
    await typeInto(page, tab, '\r');
    await waitForLine(page, tab, /^pasted-25$/);
  });
});

describe('when the session expires', () => {
  it('shows the login screen, and logging in again in the same tab brings back the open terminals', async () => {
    const tab = await openTerminal(page, 'shell');
    await run(page, tab, 'echo kept-$((7*6))', /^kept-42$/);
    await page.evaluate(() =>
      fetch('/porthole/api/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' } }),
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    const dialog = page.getByRole('alertdialog');
    await expect.poll(() => dialog.textContent()).toContain('Your session has ended');
    expect(await page.locator('.workspace').isVisible()).toBe(false);

    await page.goto(porthole.loginUrl); // only the fragment changes: no reload
    await page.locator('.workspace').waitFor({ state: 'visible' });
    expect(new URL(page.url()).hash).toBe('');
    expect(await dialog.count()).toBe(0);
    expect(await bufferLines(page, tab)).toContain('kept-42');
  });
});

describe('leaving the page', () => {
  it('ends its shells', async () => {
    await until(() => shellExecs() === 0, 1);
    const before = shellExecs();
    const other = await newTestPage(browser, porthole.url);
    await logIn(other.page, porthole.loginUrl);
    await openTerminal(other.page, 'shell');
    const b = await openTerminal(other.page, 'shell');
    await run(other.page, b, 'echo open-$((1))', /^open-1$/);
    expect(shellExecs()).toBe(before + 2);
    await other.page.close({ runBeforeUnload: true });
    await until(() => shellExecs() === before);
    expect(shellExecs()).toBe(before);
    await other.context.close();
  });
});

describe('a dropped connection', () => {
  it('is told apart from an exit, and Reconnect re-attaches to the same process', async () => {
    // A proxy between page and backend that can drop the socket. Playwright routes the page's WebSocket
    // class, so this page uses a plain WebSocket (?websocket) instead of WebSocketStream.
    const other = await newTestPage(browser, porthole.url);
    try {
      const routes: WebSocketRoute[] = [];
      await other.page.routeWebSocket(/\/attach\?/, (ws) => {
        ws.connectToServer();
        routes.push(ws);
      });
      const url = new URL(porthole.loginUrl);
      url.searchParams.set('websocket', '');
      await logIn(other.page, url.href);
      const tab = await openTerminal(other.page, 'ticker', 'main', 'attach');
      const lastTick = async () =>
        Math.max(
          -1,
          ...(await bufferLines(other.page, tab)).flatMap((line) => {
            const m = /(\d+)\s*$/.exec(line);
            return m?.[1] ? [Number(m[1])] : [];
          }),
        );
      await expect.poll(lastTick, { timeout: 10_000 }).toBeGreaterThanOrEqual(0);
      await routes[0]?.close({ code: 4001, reason: 'dropped by a proxy' });
      expect(await waitForStatus(other.page, tab, 'lost')).toBe(
        'connection lost (close code 4001: dropped by a proxy)',
      );
      const beforeDrop = await lastTick();
      await panel(other.page, tab).getByRole('button', { name: 'Reconnect' }).click();
      await waitForStatus(other.page, tab, 'connected');
      expect(routes).toHaveLength(2);
      // The same process: its count goes on from where it was instead of starting again.
      await expect.poll(lastTick, { timeout: 10_000 }).toBeGreaterThan(beforeDrop);
    } finally {
      await other.context.close();
    }
  });
});

describe('picker', () => {
  it('disables Attach for a container without stdin and tty, and says why', async () => {
    const sidecar = page.locator('.pod[data-pod="multi"] .container[data-container="sidecar"]');
    const attach = sidecar.getByRole('button', { name: 'Attach to multi/sidecar' });
    expect(await attach.isDisabled()).toBe(true);
    const reasonId = await attach.getAttribute('aria-describedby');
    expect(reasonId).toBeTruthy();
    expect(await page.locator(`[id="${reasonId}"]`).innerText()).toMatch(
      /^Attach needs a container started with stdin: true and tty: true/,
    );
  });

  it('lists the other namespace’s pods', async () => {
    await page.getByLabel('Namespace').selectOption('team-a');
    await expect.poll(() => page.locator('.pod[data-pod]').count()).toBeGreaterThan(0);
    await page.getByLabel('Namespace').selectOption('default');
    await page.locator('.pod[data-pod="shell"]').waitFor();
  });
});

describe('the playground route', () => {
  it('opens the CEL page, and going back keeps the open terminals', async () => {
    await page.getByRole('link', { name: 'Playground' }).click();
    expect(new URL(page.url()).pathname).toBe('/playground');
    await page.locator('.page[data-page="cel"] .result [data-field="value"]').waitFor();
    await page.getByRole('link', { name: 'Pods & terminals' }).click();
    await page.locator('.workspace').waitFor({ state: 'visible' });
  });
});
