// What a person does in the app, as steps the browser tests share: log in, open a terminal, type, read.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Opens the login URL (token in the fragment) and waits for the pod list. */
export async function logIn(page: Page, loginUrl: string): Promise<void> {
  // From a blank page: a goto that changes only the fragment would not load the app again.
  await page.goto('about:blank');
  await page.goto(loginUrl);
  await page.locator('.pod[data-pod]').first().waitFor({ timeout: 20_000 });
}

/** Clicks Shell (exec) or Attach on a container in the picker; returns the new tab's id once it is connected. */
export async function openTerminal(
  page: Page,
  pod: string,
  container = 'main',
  mode: 'exec' | 'attach' = 'exec',
): Promise<string> {
  const before = await tabIds(page);
  const label = mode === 'exec' ? `Exec into ${pod}/${container}` : `Attach to ${pod}/${container}`;
  await page.getByRole('button', { name: label, exact: true }).click();
  const handle = await page.waitForFunction(
    (known) => Object.keys(window.__portholeTest?.tabs ?? {}).find((id) => !known.includes(id)) ?? null,
    before,
  );
  const id = (await handle.jsonValue()) as string;
  await waitForStatus(page, id, 'connected');
  return id;
}

export function tabIds(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(window.__portholeTest?.tabs ?? {}));
}

export function panel(page: Page, tabId: string) {
  return page.locator(`[data-tab-id="${tabId}"]`);
}

export async function waitForStatus(page: Page, tabId: string, state: string, timeout = 20_000): Promise<string> {
  const status = panel(page, tabId).locator(`[data-status="${state}"]`);
  await status.waitFor({ timeout });
  return (await status.textContent()) ?? '';
}

export function statusText(page: Page, tabId: string): Promise<string> {
  return panel(page, tabId).locator('[data-status]').innerText();
}

/** Every line of the tab's xterm buffer (scrollback included). */
export function bufferLines(page: Page, tabId: string): Promise<string[]> {
  return page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.lines() ?? [], tabId);
}

/** Waits until some buffer line matches, and returns that line. */
export async function waitForLine(page: Page, tabId: string, pattern: RegExp, timeout = 20_000): Promise<string> {
  const handle = await page.waitForFunction(
    ({ id, source, flags }) => {
      const re = new RegExp(source, flags);
      return window.__portholeTest?.tabs?.[id]?.lines().find((line) => re.test(line)) ?? null;
    },
    { id: tabId, source: pattern.source, flags: pattern.flags },
    { timeout, polling: 50 },
  );
  return (await handle.jsonValue()) as string;
}

/** Counts the buffer lines matching a pattern. */
export async function countLines(page: Page, tabId: string, pattern: RegExp): Promise<number> {
  return (await bufferLines(page, tabId)).filter((line) => pattern.test(line)).length;
}

/** Focuses the tab's terminal and types as a person would (key events into xterm's textarea). */
export async function typeInto(page: Page, tabId: string, text: string): Promise<void> {
  await panel(page, tabId).locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
}

/**
 * Runs a shell command and waits for its output line: the command prints a marker computed by the shell
 * (`$((…))`), so the typed command's echo can never be mistaken for its output.
 */
export async function run(page: Page, tabId: string, command: string, expect: RegExp): Promise<string> {
  await typeInto(page, tabId, `${command}\r`);
  return waitForLine(page, tabId, expect);
}

export function terminalSize(page: Page, tabId: string): Promise<{ cols: number; rows: number }> {
  return page.evaluate((id) => {
    const term = window.__portholeTest?.tabs?.[id]?.controller.term;
    return { cols: term?.cols ?? 0, rows: term?.rows ?? 0 };
  }, tabId);
}

/** Closes a tab with its own close button (named after the tab's title). */
export async function closeTab(page: Page, tabId: string): Promise<void> {
  const title = await page.evaluate((id) => window.__portholeTest?.tabs?.[id]?.title ?? null, tabId);
  if (title === null) throw new Error(`no open tab ${tabId}`);
  await page.getByRole('button', { name: `Close ${title}`, exact: true }).click();
}

/** Polls `probe` every 100 ms until `ok` holds or the time is up, and returns the last value (the caller asserts). */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}

/** Shrinks the page and checks that the remote TTY's `stty size` followed it; then restores the page size. */
export async function expectTtyToFollowPageResize(page: Page, tab: string): Promise<void> {
  const before = await terminalSize(page, tab);
  await run(page, tab, 'echo size-$((0)) $(stty size)', new RegExp(`^size-0 ${before.rows} ${before.cols}$`));
  await page.setViewportSize({ width: 900, height: 560 });
  const after = await eventually(
    () => terminalSize(page, tab),
    (s) => s.cols !== before.cols && s.rows !== before.rows,
  );
  expect(after.cols).toBeLessThan(before.cols);
  expect(after.rows).toBeLessThan(before.rows);
  await run(page, tab, 'echo size-$((1)) $(stty size)', new RegExp(`^size-1 ${after.rows} ${after.cols}$`));
  await page.setViewportSize({ width: 1280, height: 800 });
}
