// The admission page in Debian's headless Chromium: the sidecar example's container in the diff, the same policy
// touching the atomic `args` and the apiserver's error, a CEL error marked inside the YAML, a share link's round
// trip, a typo warned about as status.typeChecking, and a 5 MB object that leaves the page responsive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, newTestPage } from './browser.ts';
import { startTestPorthole, type Porthole } from './porthole.ts';
import { markers, modelUri, models, openPlayground, setDoc, waitForField } from './playground.ts';

let porthole: Porthole;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const policyUri = modelUri('admission', 'policy', 'yaml');
const policy = async () => (await models(page))[policyUri]!;
const DIFF = {
  input: 'inmemory://playground/admission/diff/input.yaml',
  final: 'inmemory://playground/admission/diff/final.yaml',
};

beforeAll(async () => {
  porthole = await startTestPorthole({ clusters: [] });
  browser = await launchChromium();
  ({ context, page } = await newTestPage(browser, porthole.url));
  await openPlayground(page, `${porthole.url}playground/admission`);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await porthole?.close();
});

describe('the admission page', () => {
  it('opens on the sidecar example: the container is added, and the diff shows it', async () => {
    await waitForField(page, 'outcome', 'Admitted: mutated by inject-log-shipper');
    const shown = await models(page);
    expect(shown[DIFF.input]).not.toContain('log-shipper');
    expect(shown[DIFF.final]).toMatch(
      /- name: web\n[\s\S]*- name: log-shipper\n\s+image: registry.example.com\/tools\/log-shipper:2.1/,
    );
    // Monaco's diff marks the inserted lines (the new container) in the modified side.
    await page.locator('[data-field="diff"] .line-insert').first().waitFor();
  });

  it('the same policy setting args, an atomic list, is denied with the apiserver’s error on the mutation', async () => {
    const text = (await policy()).replace(
      'image: "registry.example.com/tools/log-shipper:2.1",',
      'image: "registry.example.com/tools/log-shipper:2.1",\n                args: ["--tail"],',
    );
    await setDoc(page, 'policy', text);
    await waitForField(page, 'outcome', 'Denied: 403 Invalid');
    expect(await page.locator('.result [data-field="error"]').innerText()).toBe(
      "policy 'inject-log-shipper' with binding 'inject-log-shipper' denied request: error applying patch: " +
        'invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: .spec.containers[0].args',
    );
    const line = text.split('\n').findIndex((l) => l.includes('expression: >')) + 1;
    const own = (await markers(page)).filter((m) => m.uri === policyUri && m.owner === 'porthole');
    expect(own).toMatchObject([{ line, message: expect.stringMatching(/may not mutate atomic/) }]);
  });

  it('a CEL syntax error is marked where it is inside the YAML string, and the policy is not created', async () => {
    const text = (await policy()).replace(`c.name == "log-shipper")'`, `c.name == "log-shipper"'`);
    await setDoc(page, 'policy', text);
    await waitForField(page, 'outcome', /^422 Invalid: kube-apiserver would not create/);
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes(`c.name == "log-shipper"'`));
    const own = (await markers(page)).filter((m) => m.uri === policyUri && m.owner === 'porthole' && m.severity === 8);
    expect(own).toMatchObject([{ line: at + 1, message: expect.stringMatching(/Syntax error/) }]);
  });

  it('a share link opens the same state and the same result in a fresh browser context', async () => {
    await page.getByLabel('Examples').selectOption('replicas-limit');
    await waitForField(page, 'outcome', 'Denied: 422 Invalid');
    await page.getByRole('button', { name: 'Copy link' }).click();
    const link = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
    await page.getByRole('button', { name: 'Close' }).click();
    const before = await models(page);
    const fresh = await newTestPage(browser, porthole.url);
    try {
      await openPlayground(fresh.page, link);
      await waitForField(fresh.page, 'outcome', 'Denied: 422 Invalid');
      expect(await fresh.page.locator('.result [data-field="error"]').innerText()).toContain(
        'replicas must be at most 3, got 5',
      );
      const after = await models(fresh.page);
      for (const uri of Object.keys(before).filter((u) => u.startsWith('inmemory://playground/admission/')))
        expect(after[uri], uri).toBe(before[uri]);
    } finally {
      await fresh.context.close();
    }
  });

  it('a typo in a validation: denied as before, and status.typeChecking warns on its character', async () => {
    await page.getByLabel('Examples').selectOption('trusted-registry');
    await waitForField(page, 'outcome', /^Denied: 403 Forbidden/);
    const text = (await policy()).replace(
      'expression: size(variables.untrusted) == 0',
      'expression: size(variables.untrusted) == 0 && object.spec.hostNetwrk',
    );
    await setDoc(page, 'policy', text);
    await page.locator('[data-field="typeChecking"] pre').first().waitFor();
    expect(await page.locator('[data-field="typeChecking"] pre').innerText()).toBe(
      "/v1, Kind=Pod: ERROR: <input>:1:46: undefined field 'hostNetwrk'\n" +
        ' | size(variables.untrusted) == 0 && object.spec.hostNetwrk\n' +
        ` | ${'.'.repeat(45)}^\n`,
    );
    await waitForField(page, 'outcome', /^Denied: 403 Forbidden/);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('hostNetwrk')) + 1;
    const column = lines[line - 1]!.indexOf('.hostNetwrk') + 1;
    // A warning (severity 4) beside the denial's, on the field's character.
    const own = (await markers(page)).filter(
      (m) => m.uri === policyUri && m.owner === 'porthole' && m.message.startsWith('status.typeChecking'),
    );
    expect(own).toMatchObject([
      {
        line,
        column,
        severity: 4,
        message: "status.typeChecking: /v1, Kind=Pod: undefined field 'hostNetwrk' (spec.validations[0].expression)",
      },
    ]);
  });

  it('a 5 MB object is admitted without a diff, and the editors keep answering', async () => {
    await page.getByLabel('Examples').selectOption('sidecar');
    await waitForField(page, 'outcome', 'Admitted: mutated by inject-log-shipper');
    const object = (await models(page))[modelUri('admission', 'object', 'yaml')]!;
    // In an env value: an annotation that size fails kube-apiserver's object validation (256 KiB in all).
    const big = object.replace(
      '    ports:\n',
      `    env:\n    - name: BIG\n      value: ${'x'.repeat(5 * 1024 * 1024)}\n    ports:\n`,
    );
    expect(big).not.toBe(object);
    await setDoc(page, 'object', big);
    await page
      .locator('.result')
      .getByText(/^the object is 5\.\d MB as YAML: too large to diff here/)
      .waitFor({ timeout: 30_000 });
    await setDoc(page, 'object', object);
    await waitForField(page, 'outcome', 'Admitted: mutated by inject-log-shipper', 30_000);
  });
});
