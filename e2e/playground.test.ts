// The playground frame in Debian's headless Chromium: the live loop on the CEL page, markers at the right
// column, share links (round trip in a fresh browser context, and hostile links that must open nothing), work
// kept across a reload, a runaway expression, the Kubernetes schemas (markers and completion in the vars YAML,
// field completion in CEL), and the terminal route staying free of Monaco.
import { once } from 'node:events';
import { createDeflateRaw } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { deflateSync, strToU8 } from 'fflate';
import { launchChromium, newTestPage } from './browser.ts';
import { startTestPorthole, type Porthole } from './porthole.ts';
import { markers, modelUri, models, openPlayground, restoreDoc, setDoc, waitForField } from './playground.ts';

let porthole: Porthole;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let bomb1GB: Promise<Buffer>;

/** 1 GiB of zeros, deflated by zlib in the thread pool (about 1 MB): made while the browser starts. */
async function deflatedZeros(bytes: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const zeros = Buffer.alloc(1 << 20);
  for (let written = 0; written < bytes; written += zeros.length) {
    if (!deflate.write(zeros)) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  return Buffer.concat(chunks);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

beforeAll(async () => {
  bomb1GB = deflatedZeros(1 << 30);
  porthole = await startTestPorthole({ clusters: [] });
  browser = await launchChromium();
  ({ context, page } = await newTestPage(browser, porthole.url));
  await openPlayground(page, `${porthole.url}playground/cel`);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await porthole?.close();
});

describe('the CEL page', () => {
  it('opens without a login, on the first example, already evaluated', async () => {
    expect(await page.getByRole('heading', { name: 'Not logged in' }).count()).toBe(0);
    await waitForField(page, 'value', 'true');
    expect(await page.locator('.result [data-field="type"]').innerText()).toBe('bool');
    expect(await page.locator('.result [data-field="elapsed"]').innerText()).toMatch(/^evaluated in [\d.]+ ms$/);
  });

  it('updates the result as an expression is typed', async () => {
    // The first example is a validation, which must be a bool; the mutation environment takes any value.
    await page.getByLabel('Environment').selectOption('mutation');
    await setDoc(page, 'expression', '');
    await page.keyboard.type('object.spec.replicas * 7');
    await waitForField(page, 'value', '21');
    expect(await page.locator('.result [data-field="type"]').innerText()).toBe('int');
    await page.keyboard.type(' + 1');
    await waitForField(page, 'value', '22');
  });

  it('marks a syntax error at its column, in Monaco and in the problems list', async () => {
    await setDoc(page, 'expression', 'object.spec.replicas + * 2');
    await waitForField(page, 'error', /^compilation failed: ERROR: <input>:1:24: Syntax error/);
    const shown = (await markers(page)).filter((m) => m.uri === modelUri('cel', 'expression', 'cel'));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ line: 1, column: 24, message: expect.stringMatching(/^Syntax error/) });
    await page.locator('.doc[data-doc="expression"] .squiggly-error').first().waitFor();
    expect(await page.locator('.problems li').first().innerText()).toMatch(/^expression 1:24 Syntax error/);
  });

  it('marks a CEL error inside a YAML string value where it is in the YAML text', async () => {
    await setDoc(page, 'expression', 'variables.doubled');
    await setDoc(page, 'variables', '- name: doubled\n  expression: "object.spec.replicas * nope"\n');
    try {
      await waitForField(page, 'error', /undeclared reference to 'nope'/);
      const shown = (await markers(page)).filter((m) => m.uri === modelUri('cel', 'variables', 'yaml'));
      // CEL puts `nope` at column 24 of the expression, whose first character follows the quote at column 15 of
      // line 2 of the YAML: column 39.
      expect(shown).toMatchObject([{ line: 2, column: 39 }]);
    } finally {
      await setDoc(page, 'variables', '');
    }
  });

  it('stops a runaway expression with the cost limit, and the next edit still works', async () => {
    await setDoc(
      page,
      'expression',
      '[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(c, [1,2,3,4,5,6,7,8,9,10].map(d, [1,2,3,4,5,6,7,8,9,10].map(e, [1,2,3,4,5,6,7,8,9,10].map(f, a + b + c + d + e + f))))))',
    );
    await waitForField(page, 'error', /^operation cancelled: actual cost limit exceeded$/, 20_000);
    await setDoc(page, 'expression', '1 + 1');
    await waitForField(page, 'value', '2');
  });

  it('keeps the work across a reload of the tab, even one right after the last keystroke', async () => {
    await setDoc(page, 'expression', '"kept" + "!"');
    await waitForField(page, 'value', '"kept!"');
    await page.reload();
    await waitForField(page, 'value', '"kept!"');
    expect((await models(page))[modelUri('cel', 'expression', 'cel')]).toBe('"kept" + "!"');
  });

  it('changes the environment and the version', async () => {
    await setDoc(page, 'expression', '1 + 2');
    await page.getByLabel('Environment').selectOption('validation');
    await waitForField(page, 'error', 'must evaluate to bool but got int');
    await page.getByLabel('Environment').selectOption('mutation');
    await waitForField(page, 'value', '3');
    await page.getByLabel('Kubernetes version').selectOption('1.30');
    await setDoc(page, 'expression', "['b', 'a'].sort() == ['a', 'b']");
    // sort() came with cel-go's ext lists v3, in Kubernetes 1.34
    await waitForField(page, 'error', /found no matching overload for 'sort'|undeclared reference to 'sort'/);
    await page.getByLabel('Kubernetes version').selectOption('1.34');
    await waitForField(page, 'value', 'true');
  });

  it('loads an example from the gallery, and Ctrl+Z brings back what it replaced', async () => {
    await setDoc(page, 'expression', '40 + 2');
    await waitForField(page, 'value', '42');
    await page.getByLabel('Examples').selectOption('division-by-zero');
    await waitForField(page, 'error', 'division by zero');
    await page.locator('.doc[data-doc="expression"] .monaco-editor textarea').focus();
    await page.keyboard.press('ControlOrMeta+Z');
    await waitForField(page, 'value', '42');
  });

  // These two leave the page as they found it (the Deployment sample, the mutation environment), for the share links.
  it('checks vars.object against the schema of its kind: a wrong type in a Deployment is marked', async () => {
    const varsUri = modelUri('cel', 'vars', 'yaml');
    const vars = (await models(page))[varsUri]!;
    expect(vars).toMatch(/kind: Deployment\n[^]* {4}replicas: 3\n/);
    await setDoc(page, 'vars', vars.replace('replicas: 3', 'replicas: three'));
    const line = vars.split('\n').findIndex((l) => l.includes('replicas: 3')) + 1;
    const deadline = Date.now() + 30_000;
    let fromSchema: Awaited<ReturnType<typeof markers>> = [];
    while (Date.now() < deadline && fromSchema.length === 0) {
      fromSchema = (await markers(page)).filter((m) => m.uri === varsUri && m.owner === 'yaml');
      await page.waitForTimeout(50);
    }
    try {
      expect(fromSchema).toMatchObject([
        { line, message: expect.stringMatching(/Incorrect type\. Expected "integer"/) },
      ]);
    } finally {
      await restoreDoc(page, 'vars', vars, 'yaml');
    }
  });

  it('completes vars.object in YAML from the schema its apiVersion and kind pick', async () => {
    const varsUri = modelUri('cel', 'vars', 'yaml');
    const vars = (await models(page))[varsUri]!;
    try {
      await setDoc(page, 'vars', 'object:\n  apiVersion: apps/v1\n  kind: Deployment\n  spec:\n    rep');
      const suggest = page.locator('.doc[data-doc="vars"] .suggest-widget');
      const deadline = Date.now() + 30_000;
      let shown: string[] = [];
      // monaco-yaml answers once its worker has the schemas; until then it offers nothing.
      while (Date.now() < deadline && !shown.includes('replicas')) {
        await page.keyboard.press('Escape');
        // At the end of `rep` (a run once offered the top-level names: the cursor was still at the start).
        await page.keyboard.press('ControlOrMeta+End');
        await page.keyboard.press('ControlOrMeta+Space');
        await page.waitForTimeout(300);
        shown = await suggest.locator('.monaco-list-row').allInnerTexts();
      }
      expect(shown).toContain('replicas');
      await page.keyboard.press('Escape');
    } finally {
      await restoreDoc(page, 'vars', vars, 'yaml');
    }
  });

  it('completes object.spec. with the fields of the Deployment schema, even those the sample lacks', async () => {
    const varsUri = modelUri('cel', 'vars', 'yaml');
    const vars = (await models(page))[varsUri]!;
    await page.getByLabel('Environment').selectOption('mutation'); // any result type: the test reads the value
    await setDoc(page, 'expression', 'object.spec.replicas');
    const deployment =
      'object:\n  apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web}\n  spec:\n    paused: false\n';
    await setDoc(page, 'vars', deployment);
    try {
      await waitForField(page, 'error', /no such key: replicas/);
      await setDoc(page, 'expression', '');
      await page.keyboard.type('object.spec.');
      const suggest = page.locator('.doc[data-doc="expression"] .suggest-widget');
      await suggest.locator('.monaco-list-row').first().waitFor({ timeout: 10_000 });
      expect((await suggest.locator('.monaco-list-row').allInnerTexts()).some((r) => /^replicas\b/.test(r))).toBe(true);
      await page.keyboard.type('repl');
      await suggest.locator('.monaco-list-row.focused', { hasText: 'replicas' }).waitFor();
      await page.keyboard.press('Escape');
    } finally {
      // Put the example back for the tests after this one.
      await restoreDoc(page, 'vars', vars, 'yaml');
      await restoreDoc(page, 'expression', 'object.spec.replicas', 'cel');
    }
    await waitForField(page, 'value', '3');
  });
});

describe('share links', () => {
  it('copy the link, open it in a fresh browser context: the same state and the same result', async () => {
    await setDoc(page, 'expression', "object.metadata.labels.app + '-' + string(object.spec.replicas)");
    await page.getByLabel('Kubernetes version').selectOption('1.32');
    await waitForField(page, 'value', '"web-3"');
    await page.getByRole('button', { name: 'Copy link' }).click();
    const link = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
    expect(link).toMatch(new RegExp(`^${porthole.url}playground/cel#s=1\\.[A-Za-z0-9_-]+$`));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    const before = await models(page);

    const fresh = await newTestPage(browser, porthole.url);
    try {
      const requests: string[] = [];
      fresh.page.on('request', (r: Request) => requests.push(new URL(r.url()).pathname));
      await openPlayground(fresh.page, link);
      await waitForField(fresh.page, 'value', '"web-3"');
      expect(await fresh.page.getByLabel('Kubernetes version').inputValue()).toBe('1.32');
      const after = await models(fresh.page);
      for (const doc of ['expression', 'vars', 'variables']) {
        const uri = Object.keys(before).find((u) => u.startsWith(`inmemory://playground/cel/${doc}.`))!;
        expect(after[uri]).toBe(before[uri]);
      }
      expect(await fresh.page.getByRole('status').innerText()).toMatch(/Opened a shared CEL playground/);
      // Nothing but the app itself was fetched: the link's content never went to the server or a cluster.
      expect(requests.filter((p) => p.startsWith('/clusters'))).toEqual([]);
      expect(requests.every((p) => !p.includes('s=1.'))).toBe(true);
    } finally {
      await fresh.context.close();
    }
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('warns when the state holds something that looks like a token', async () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';
    await setDoc(page, 'vars', `claims:\n  raw: ${jwt}\n`);
    await page.getByRole('button', { name: 'Copy link' }).click();
    expect(await page.getByRole('dialog', { name: 'Share link' }).innerText()).toContain(
      'The vars editor holds what looks like a signed JWT: anyone with this link can read it.',
    );
    await page.getByRole('button', { name: 'Close' }).click();
  });

  describe('a hostile or broken link shows a clear message and opens nothing', () => {
    const fragmentOf = (json: string) => 's=1.' + base64url(deflateSync(strToU8(json)));
    const cases: { name: string; fragment: () => Promise<string>; message: RegExp }[] = [
      {
        name: 'a javascript: URL as the payload',
        fragment: async () => 's=1.javascript:alert(document.domain)',
        message: /^Cannot open this share link: the link is damaged: its payload is not base64url\.$/,
      },
      {
        name: 'a payload cut short',
        fragment: async () => {
          const whole = fragmentOf(
            JSON.stringify({
              page: 'cel',
              version: '1.34',
              docs: { expression: 'x'.repeat(500) + Math.random() },
              options: {},
            }),
          );
          // Cut at a whole base64 quantum, so the payload is valid base64url and only the deflate stream is short
          // (a cut leaving 4k+1 characters is a base64 error instead).
          const payload = whole.slice('s=1.'.length);
          return 's=1.' + payload.slice(0, Math.floor(payload.length / 8) * 4);
        },
        message: /^Cannot open this share link: the link is (damaged or )?cut short/,
      },
      {
        name: 'a 64 MiB decompression bomb under the compressed cap',
        fragment: async () => 's=1.' + base64url(deflateSync(new Uint8Array(64 << 20), { level: 9 })),
        message: /^Cannot open this share link: its content expands past 2 MiB, so Porthole stopped reading it\.$/,
      },
      {
        name: 'a 1 GiB decompression bomb',
        fragment: async () => 's=1.' + base64url(await bomb1GB),
        message: /^Cannot open this share link: the link is too long \(\d+ characters; the limit is 200000\)\.$/,
      },
      {
        name: 'a state of the wrong shape',
        fragment: async () => fragmentOf('{"page":"cel","version":"9.99","docs":{},"options":{}}'),
        message: /^Cannot open this share link: /,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        await setDoc(page, 'expression', '"untouched"');
        await waitForField(page, 'value', '"untouched"');
        const fragment = await c.fragment();
        await openPlayground(page, `${porthole.url}playground/cel#${fragment}`);
        const alert = page.locator('.banner.error[role="alert"]');
        await alert.waitFor();
        expect(await alert.locator('span').innerText()).toMatch(c.message);
        // The page goes on with the work it had, the address no longer holds the link, and it still answers
        // (after a full load of the app with up to a megabyte in its address: generous on a loaded machine).
        await waitForField(page, 'value', '"untouched"', 30_000);
        expect(new URL(page.url()).hash).toBe('');
        await page.getByRole('button', { name: 'Dismiss' }).click();
      });
    }

    it('script tags and __proto__ keys: shown as editor text, run nothing, pollute nothing', async () => {
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const hostile = '"</script><script>window.__pwned=1</script><img src=x onerror=alert(1)>"';
      const fragment = fragmentOf(
        JSON.stringify({
          page: 'cel',
          version: '1.34',
          docs: { expression: hostile, vars: 'object: {}\n' },
          options: { env: 'mutation' },
        }).replace('"page"', '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"page"'),
      );
      await openPlayground(page, `${porthole.url}playground/cel#${fragment}`);
      await page.getByRole('status').waitFor();
      expect(await page.getByRole('status').innerText()).toMatch(
        /Left out what this Porthole does not know: __proto__, constructor\./,
      );
      await waitForField(page, 'value', JSON.stringify(hostile.slice(1, -1)));
      expect((await models(page))[modelUri('cel', 'expression', 'cel')]).toBe(hostile);
      expect(
        await page.evaluate(() => ({
          pwned: (window as unknown as { __pwned?: number }).__pwned,
          polluted: ({} as Record<string, unknown>).polluted,
          images: document.querySelectorAll('img').length,
          scripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
        })),
      ).toEqual({ pwned: undefined, polluted: undefined, images: 0, scripts: 0 });
      expect(dialogs).toEqual([]);
    });
  });
});

describe('the terminal route', () => {
  it('does not load Monaco, the evaluators or their workers', async () => {
    const fresh = await newTestPage(browser, porthole.url);
    try {
      const scripts: string[] = [];
      fresh.page.on('request', (r: Request) => {
        if (['script', 'worker', 'stylesheet', 'font'].includes(r.resourceType()))
          scripts.push(new URL(r.url()).pathname);
      });
      await fresh.page.goto(porthole.loginUrl);
      await fresh.page.locator('.workspace').waitFor({ state: 'attached' });
      // The terminal route keeps a cluster watch open, so the network never goes idle: give lazy chunks a moment.
      await fresh.page.waitForTimeout(1500);
      expect(scripts.length).toBeGreaterThan(0);
      expect(scripts.filter((p) => /PlaygroundRoute|worker|codicon|monaco/i.test(p))).toEqual([]);
    } finally {
      await fresh.context.close();
    }
  });
});
