// A recorded shell replayed in the browser: Porthole started with --record-dir, a shell that prints something,
// then /recordings lists it and the player writes the same text into its own terminal.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newTestPage } from './browser.ts';
import { startTestPorthole, type Porthole } from './porthole.ts';
import { closeTab, logIn, openTerminal, run } from './app.ts';

let porthole: Porthole;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  porthole = await startTestPorthole({ recordDir: join(mkdtempSync(join(tmpdir(), 'porthole-rec-')), 'casts') });
  browser = await launchChromium();
  ({ context, page } = await newTestPage(browser, porthole.url));
  await logIn(page, porthole.loginUrl);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await porthole?.close();
});

it('a shell is recorded, listed under Recordings, and replays its output', async () => {
  const tab = await openTerminal(page, 'shell');
  await run(page, tab, 'echo recorded-$((6*7))', /^recorded-42$/);
  await closeTab(page, tab);

  await page.getByRole('link', { name: 'Recordings' }).click();
  const row = page.locator('[data-field="recordings"] a').first();
  await row.waitFor();
  expect(await row.innerText()).toMatch(/^exec local\/default\/shell/);
  await row.click();
  const player = page.locator('[data-field="player"]');
  await player.waitFor();
  await page.getByRole('button', { name: '4×' }).click();
  await expect.poll(() => player.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
  const text = await player.locator('.xterm-rows').innerText();
  expect(text).toContain('recorded-42');
  expect(await page.evaluate(() => location.pathname)).toMatch(/^\/recordings\/.+\.cast$/);
});

it('a recording that does not exist is a clear message', async () => {
  await page.goto(`${porthole.url}recordings/missing.cast`);
  const error = page.locator('[data-field="player-error"]');
  await error.waitFor();
  expect(await error.innerText()).toBe('no recording named "missing.cast"');
});
