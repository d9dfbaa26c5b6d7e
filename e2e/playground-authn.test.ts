// The authentication page in Debian's headless Chromium: the documentation's example and its audience error,
// fixing it until a user comes out, a CEL rule's marker inside the YAML, the schema's marker on an unknown field,
// and a share link's round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newTestPage } from './browser.ts';
import { startTestPorthole, type Porthole } from './porthole.ts';
import { markers, modelUri, models, openPlayground, setDoc, waitForField } from './playground.ts';

let porthole: Porthole;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const configUri = modelUri('authn', 'config', 'yaml');
const config = async () => (await models(page))[configUri]!;

beforeAll(async () => {
  porthole = await startTestPorthole({ clusters: [] });
  browser = await launchChromium();
  ({ context, page } = await newTestPage(browser, porthole.url));
  await openPlayground(page, `${porthole.url}playground/authn`);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await porthole?.close();
});

describe('the authentication page', () => {
  it('the documentation’s example fails on its audience, with the apiserver’s words', async () => {
    await page.getByLabel('Examples').selectOption('docs-example');
    await waitForField(page, 'error', 'oidc: verify token: oidc: expected audience "my-app" got ["kubernetes"]');
  });

  it('fixing the audience and the groups expression gives the user, as kubectl auth whoami shows it', async () => {
    await page.getByLabel('Token', { exact: true }).selectOption('claims'); // the docs' signing key was never published
    await setDoc(page, 'config', (await config()).replace('- my-app', '- kubernetes'));
    await waitForField(
      page,
      'error',
      'oidc: error evaluating group claim expression: expression must return a string or a list of strings',
    );
    await setDoc(
      page,
      'config',
      (await config()).replace(`'claims.roles.split(",")'`, `'claims.roles.split(",").map(r, r)'`),
    );
    const user = await waitForField(page, 'user', /Username\s+foo:external-user/);
    expect(user).toMatch(/Groups\s+.*\buser\b.*\badmin\b.*system:authenticated/);
  });

  it('a broken CEL rule is marked where it is inside the YAML string', async () => {
    const text = (await config()).replace(`'claims.roles.split(",").map(r, r)'`, `'claims.roles.split(",").map(r, r'`);
    await setDoc(page, 'config', text);
    await waitForField(page, 'error', /Syntax error/);
    const [line, column] = (() => {
      const lines = text.split('\n');
      const at = lines.findIndex((l) => l.includes('.map(r, r'));
      // cel-go reports the missing `)` at the end of the expression, just before the closing quote.
      return [at + 1, lines[at]!.indexOf(".map(r, r'") + '.map(r, r'.length + 1];
    })();
    const shown = (await markers(page)).filter((m) => m.uri === configUri && m.owner === 'porthole');
    expect(shown).toMatchObject([{ line, column, message: expect.stringMatching(/Syntax error/) }]);
  });

  it('the configuration editor knows the schema: an unknown field is marked by monaco-yaml', async () => {
    await page.getByLabel('Examples').selectOption('email-domain');
    await waitForField(page, 'user', /Username\s+jane@example.com/);
    await setDoc(
      page,
      'config',
      (await config()).replace('    audiences:', '    audience: kubernetes\n    audiences:'),
    );
    const deadline = Date.now() + 30_000;
    let fromSchema: Awaited<ReturnType<typeof markers>> = [];
    while (Date.now() < deadline && fromSchema.length === 0) {
      fromSchema = (await markers(page)).filter((m) => m.uri === configUri && m.owner === 'yaml');
      await page.waitForTimeout(50);
    }
    expect(fromSchema).toMatchObject([{ message: expect.stringMatching(/Property audience is not allowed/) }]);
  });

  it('a share link opens the same state and the same result in a fresh browser context', async () => {
    await page.getByLabel('Examples').selectOption('group-prefix');
    await waitForField(page, 'user', /Username\s+oidc:f4b2c1d0/);
    await page.getByRole('button', { name: 'Copy link' }).click();
    const link = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
    await page.getByRole('button', { name: 'Close' }).click();
    const before = await models(page);
    const fresh = await newTestPage(browser, porthole.url);
    try {
      await openPlayground(fresh.page, link);
      await waitForField(fresh.page, 'user', /Username\s+oidc:f4b2c1d0/);
      const after = await models(fresh.page);
      for (const uri of Object.keys(before).filter((u) => u.startsWith('inmemory://playground/authn/')))
        expect(after[uri]).toBe(before[uri]);
    } finally {
      await fresh.context.close();
    }
  });
});
