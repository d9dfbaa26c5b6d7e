// `npm test`: every check a change must pass, in the order that fails fastest, ending with one summary line
// ("N passed, N failed") that CI reads. Installs what the browser tests need when it can, and says so when not.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { ensureChromium } from './ensure-chromium.ts';

function run(title: string, command: string, args: string[]): boolean {
  console.log(`\n▶ ${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) console.error(`✖ ${title} failed (exit ${result.status ?? result.signal})`);
  return result.status === 0;
}

const npx = (bin: string) => `node_modules/.bin/${bin}`;
let ok = true;
ok = run('lint', npx('eslint'), ['.']) && ok;
ok = run('format', npx('prettier'), ['--check', '.']) && ok;
ok = run('typecheck', npx('tsc'), ['-p', 'tsconfig.json', '--noEmit']) && ok;
ok = run('build', npx('vite'), ['build', '--logLevel', 'warn']) && ok;

const chromium = ensureChromium();
if (!chromium.ok) {
  console.error(`✖ browser tests cannot run: ${chromium.message}`);
  ok = false;
}

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
const vitestOk = run('tests', npx('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
]);
ok = vitestOk && ok;

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
}
if (!ok && failed === 0) failed = 1; // a failed lint/typecheck/build step counts as a failure
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(ok ? 0 : 1);
