// `npm run bench:playground`: how light the routes are and how fast the playground answers, in Debian's headless
// Chromium. Prints numbers; passes or fails nothing on a clock. What it measures (issue 5):
//   - bytes of JavaScript each route loads (scripts and workers), raw and gzip-compressed as a server would send
//     them: the terminal route (`/`, logged in) and the CEL playground route;
//   - keystroke → updated result on the CEL page and on the admission page (the sidecar example: the whole
//     admission chain and the diff): from the keydown event to the result panel's next answer,
//     measured inside the page, median and p90 over N edits (each keystroke is typed once the previous answer
//     is shown).
// Flags: --edits N (default 200).
import { gzipSync } from 'node:zlib';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Page, Response } from 'playwright-core';
import { launchChromium, newTestPage } from '../browser.ts';
import { startTestPorthole } from '../porthole.ts';
import { answered, focusDoc, modelUri, models, openPlayground, setDoc } from '../playground.ts';

const { values } = parseArgs({ options: { edits: { type: 'string', default: '200' } } });
const edits = Number(values.edits);
if (!(edits > 0)) throw new Error('--edits takes a positive number');

interface Loaded {
  files: number;
  raw: number;
  gzip: number;
}

/** Records every script and worker the page fetches while `open` runs, and sums their sizes. */
async function javascriptLoadedBy(page: Page, open: () => Promise<void>): Promise<Loaded> {
  const bodies = new Map<string, Promise<Buffer>>();
  const onResponse = (r: Response) => {
    if (!['script', 'worker'].includes(r.request().resourceType()) || bodies.has(r.url())) return;
    // A worker replaced while it loads (monaco-yaml restarts its worker when the schemas arrive) takes its
    // response body with it: the same file is asked of the server again.
    const again = async () => Buffer.from(await (await fetch(r.url())).arrayBuffer());
    bodies.set(r.url(), r.body().catch(again));
  };
  page.on('response', onResponse);
  await open();
  await page.waitForTimeout(1500); // lazy chunks and workers start after the first paint
  page.off('response', onResponse);
  const all = await Promise.all(bodies.values());
  return {
    files: all.length,
    raw: all.reduce((n, b) => n + b.length, 0),
    gzip: all.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const porthole = await startTestPorthole({ clusters: [] });
const browser = await launchChromium();
try {
  const terminal = await newTestPage(browser, porthole.url);
  const terminalJs = await javascriptLoadedBy(terminal.page, async () => {
    await terminal.page.goto(porthole.loginUrl);
    await terminal.page.locator('.workspace').waitFor({ state: 'attached' });
  });
  await terminal.context.close();

  const { page, context } = await newTestPage(browser, porthole.url);
  const playgroundJs = await javascriptLoadedBy(page, async () => {
    await openPlayground(page, `${porthole.url}playground/cel`);
    await page.locator('.result [data-field="value"]').waitFor();
  });

  await page.getByLabel('Environment').selectOption('mutation');
  await setDoc(page, 'expression', 'object.spec.replicas + 1');
  await page.locator('.result [data-field="value"]').waitFor();
  const celLatencies = await keystrokeLatencies(page, 'expression', edits);

  // The admission page: the sidecar example (a MutatingAdmissionPolicy, its merge and the diff), typing at the
  // end of the object's last line (a container port), so each keystroke re-runs the whole admission chain.
  await openPlayground(page, `${porthole.url}playground/admission`);
  await page.locator('.result [data-field="outcome"]').waitFor();
  const object = (await models(page))[modelUri('admission', 'object', 'yaml')]!.trimEnd();
  await setDoc(page, 'object', object);
  await page.locator('.result [data-field="outcome"]').waitFor();
  const admissionLatencies = await keystrokeLatencies(page, 'object', edits);
  await context.close();

  console.log(
    `machine load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const [route, js] of [
    ['terminal route (/)', terminalJs],
    ['playground route (/playground/cel)', playgroundJs],
  ] as const) {
    console.log(`${route}: ${js.files} scripts and workers, ${kb(js.raw)} raw, ${kb(js.gzip)} gzip`);
  }
  console.log(`playground/terminal gzip ratio: ${(playgroundJs.gzip / terminalJs.gzip).toFixed(1)}`);
  for (const [name, latencies] of [
    ['the CEL page', celLatencies],
    ['the admission page (sidecar example)', admissionLatencies],
  ] as const) {
    console.log(
      `keystroke → result on ${name} over ${latencies.length} of ${edits} edits: median ` +
        `${quantile(latencies, 0.5).toFixed(1)} ms, p90 ${quantile(latencies, 0.9).toFixed(1)} ms ` +
        `(includes the 25 ms pause in typing the page waits for)`,
    );
    if (latencies.length !== edits) throw new Error(`only ${latencies.length} of ${edits} edits were timed`);
  }
} finally {
  await browser.close();
  await porthole.close();
}

/**
 * Types `edits` keystrokes at the end of an editor (a digit, then Backspace, alternately, so the text stays valid)
 * and returns, sorted, the milliseconds from each keydown to the result panel's next answer, measured in the page.
 */
async function keystrokeLatencies(page: Page, doc: string, edits: number): Promise<number[]> {
  await focusDoc(page, doc);
  await page.keyboard.press('ControlOrMeta+End');
  await page.evaluate(() => {
    const marks = { down: [] as number[], shown: [] as number[] };
    const w = window as unknown as { __bench?: typeof marks; __benchObserved?: boolean };
    w.__bench = marks;
    if (w.__benchObserved) return;
    w.__benchObserved = true;
    document.addEventListener('keydown', () => w.__bench!.down.push(performance.now()), { capture: true });
    new MutationObserver(() => w.__bench!.shown.push(performance.now())).observe(document.querySelector('.result')!, {
      attributes: true,
      attributeFilter: ['data-answered'],
    });
  });
  for (let i = 0; i < edits; i++) {
    const before = await answered(page);
    await page.keyboard.press(i % 2 === 0 ? '1' : 'Backspace');
    await page.waitForFunction(
      (n) => Number(document.querySelector('.result')!.getAttribute('data-answered')) > n,
      before,
      { polling: 'raf' },
    );
  }
  const marks = await page.evaluate(
    () => (window as unknown as { __bench: { down: number[]; shown: number[] } }).__bench,
  );
  const latencies = marks.down.map((down, i) => (marks.shown[i] ?? NaN) - down).filter(Number.isFinite);
  return latencies.sort((a, b) => a - b);
}
