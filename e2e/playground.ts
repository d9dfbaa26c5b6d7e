// What the playground browser tests and the benchmark do to the page: read and write the Monaco editors,
// wait for answers, read markers.
import type { Page } from 'playwright-core';

export function modelUri(page: string, doc: string, language: 'cel' | 'yaml'): string {
  return `inmemory://playground/${page}/${doc}.${language}`;
}

/** Replaces an editor's whole text as a paste does (typing would auto-indent YAML and auto-close brackets). */
export async function setDoc(page: Page, doc: string, text: string): Promise<void> {
  await focusDoc(page, doc);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  if (text === '') return;
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press('ControlOrMeta+V');
}

/**
 * setDoc, then waits until the editor holds exactly `text` (pasting again if an open suggestion or a late
 * keystroke changed it): for the tests that put a page back the way they found it.
 */
export async function restoreDoc(page: Page, doc: string, text: string, language: 'cel' | 'yaml'): Promise<void> {
  const uri = modelUri(page.url().split('/playground/')[1]!.split(/[#?]/)[0]!, doc, language);
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('Escape');
    await setDoc(page, doc, text);
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      if ((await models(page))[uri] === text) return;
      await page.waitForTimeout(50);
    }
  }
  throw new Error(`the ${doc} editor does not hold the text it was given`);
}

export async function focusDoc(page: Page, doc: string): Promise<void> {
  await page.locator(`.doc[data-doc="${doc}"] .monaco-editor textarea`).focus();
}

export async function models(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => window.__portholeTest!.playground!.models());
}

export async function markers(page: Page) {
  return page.evaluate(() => window.__portholeTest!.playground!.markers());
}

/** How many answers the result panel has shown so far. */
export async function answered(page: Page): Promise<number> {
  return Number(await page.locator('.result').getAttribute('data-answered'));
}

/** Waits for the result panel's field to read `expected` (a string, or a pattern). */
export async function waitForField(page: Page, field: string, expected: string | RegExp, timeout = 10_000) {
  const locator = page.locator(`.result [data-field="${field}"]`);
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.count()) ? await locator.innerText() : '';
    if (typeof expected === 'string' ? last === expected : expected.test(last)) return last;
    await page.waitForTimeout(20);
  }
  // What the result pane showed instead: an error, a spinner, or nothing at all.
  const pane = await page
    .locator('.result')
    .first()
    .innerText({ timeout: 1000 })
    .catch(() => '(no result pane)');
  throw new Error(
    `result field ${field} is ${JSON.stringify(last)}, expected ${String(expected)}; the result pane shows: ${JSON.stringify(pane.slice(0, 500))}`,
  );
}

/** Opens the playground on `path` from a blank page, so a fragment-only change still loads the app. */
export async function openPlayground(page: Page, url: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(url);
  await page.locator('.playground').waitFor();
}
