// The one place the browser tests and benchmarks launch Chromium: Debian's, never a downloaded one.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.PORTHOLE_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}

/**
 * A page with the app's test hook enabled: `window.__portholeTest` exists before the app starts, so terminal
 * tabs register there (src/terminal/testHook.ts). Clipboard access is granted for copy/paste.
 */
export async function newTestPage(
  browser: Browser,
  baseUrl: string,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
  await context.addInitScript(() => {
    (window as unknown as { __portholeTest: object }).__portholeTest = {};
  });
  const page = await context.newPage();
  return { context, page };
}
