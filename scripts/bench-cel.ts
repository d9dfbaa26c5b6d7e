// `npm run bench:cel`: median compile and evaluate times of realistic Kubernetes expressions (from the specs'
// examples) and the min+gzip size of src/cel with its dependencies. Prints numbers; passes or fails nothing.

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { compile, evaluate } from '../src/cel/compile.ts';
import { admissionEnvironment, authnEnvironment, claimsValue } from '../src/cel/kubernetes.ts';
import { T } from '../src/cel/types.ts';
import { fromJSON, type Value } from '../src/cel/values.ts';
import type { Environment } from '../src/cel/env.ts';

const containers = Array.from({ length: 5 }, (_, i) => ({
  name: `c${i}`,
  image: `registry.example.com/app${i}:1.${i}`,
  resources: { limits: { memory: `${256 * (i + 1)}Mi`, cpu: '500m' } },
}));
const object = fromJSON(
  {
    metadata: {
      name: 'web-frontend',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/name': 'web-frontend', tier: 'frontend' },
      annotations: { owner: 'team@example.com' },
    },
    spec: {
      containers,
      initContainers: [{ name: 'init-a' }, { name: 'init-b' }, { name: 'init-c' }],
      url: 'https://example.com/hook',
    },
    status: { podIP: '10.1.2.3' },
    items: Array.from({ length: 100 }, (_, i) => ({
      name: `i${i}`,
      replicas: i % 5,
      tier: i % 2 ? 'frontend' : 'backend',
    })),
  },
  { unstructured: true },
);
const params = fromJSON({ name: 'mesh-proxy' });
const validation = admissionEnvironment({ version: '1.34', use: 'validation', params: true, resultType: [T.bool] });
const claimsEnv = authnEnvironment({ version: '1.34', use: 'claims', resultType: [T.bool] });
const userEnv = authnEnvironment({ version: '1.34', use: 'user', resultType: [T.bool] });
const claims = claimsValue({ email: 'jane@example.com', email_verified: true, aud: ['foo', 'bar', 'baz'] }, '1.34');
const user = fromJSON({ username: 'jane', uid: '1', groups: ['team1', 'team2'], extra: {} });

const cases: { name: string; env: Environment; expression: string; vars: Record<string, Value> }[] = [
  {
    name: 'E1 all images from the registry',
    env: validation,
    expression: "object.spec.containers.all(c, c.image.startsWith('registry.example.com/'))",
    vars: { object, params },
  },
  {
    name: 'E2 no init container named by params',
    env: validation,
    expression: '!object.spec.initContainers.exists(ic, ic.name == params.name)',
    vars: { object, params },
  },
  {
    name: 'E3 verified email domain (authn)',
    env: claimsEnv,
    expression: "claims.email_verified == true && claims.email.endsWith('@example.com')",
    vars: { claims },
  },
  {
    name: 'E4 string-heavy metadata checks',
    env: validation,
    expression:
      "object.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') && object.metadata.name.size() <= 63 && object.metadata.labels['app.kubernetes.io/name'].lowerAscii().startsWith('web') && (object.metadata.namespace + '/' + object.metadata.name).contains('/web-') && object.metadata.annotations['owner'].split('@').size() == 2",
    vars: { object, params },
  },
  {
    name: 'E5 filter+map over 100 items',
    env: validation,
    expression:
      "object.items.filter(i, i.replicas > 2 && i.tier == 'frontend').map(i, i.name + '/' + i.tier).size() == 20",
    vars: { object, params },
  },
  {
    name: 'E6 memory limits below 2Gi (quantity)',
    env: validation,
    expression: "object.spec.containers.all(c, quantity(c.resources.limits.memory).isLessThan(quantity('2Gi')))",
    vars: { object, params },
  },
  {
    name: 'E7 labels, two-variable all',
    env: validation,
    expression: "object.metadata.labels.all(k, v, k.startsWith('app.') || v.size() < 64)",
    vars: { object, params },
  },
  {
    name: 'E8 audiences equivalent (sets)',
    env: claimsEnv,
    expression: "sets.equivalent(claims.aud, ['bar', 'foo', 'baz'])",
    vars: { claims },
  },
  {
    name: 'E9 no system: groups (user)',
    env: userEnv,
    expression: "user.groups.all(g, !g.startsWith('system:'))",
    vars: { user },
  },
  {
    name: 'E10 pod IP in the cluster CIDR',
    env: validation,
    expression: "cidr('10.0.0.0/8').containsIP(object.status.podIP) && url(object.spec.url).getHost() == 'example.com'",
    vars: { object, params },
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median microseconds per call over batches of about 20 ms, after a warm-up. */
function measure(fn: () => void): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    if (performance.now() - t > 20) break;
    n *= 2;
  }
  const batches: number[] = [];
  for (let b = 0; b < 9; b++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    batches.push(((performance.now() - t) * 1000) / n);
  }
  return median(batches);
}

console.log(`CEL benchmark (Node ${process.version}); median µs per call`);
console.log(`${'expression'.padEnd(40)} ${'compile µs'.padStart(11)} ${'eval µs'.padStart(9)} ${'cost'.padStart(6)}`);
for (const c of cases) {
  const compiled = compile(c.expression, c.env);
  if (!compiled.ok) throw new Error(`${c.name}: ${compiled.message}`);
  const r = evaluate(compiled.program, c.vars);
  if (!r.ok || r.value !== true) throw new Error(`${c.name}: expected true, got ${JSON.stringify(r)}`);
  const compileUs = measure(() => compile(c.expression, c.env));
  const evalUs = measure(() => evaluate(compiled.program, c.vars));
  console.log(
    `${c.name.padEnd(40)} ${compileUs.toFixed(1).padStart(11)} ${evalUs.toFixed(1).padStart(9)} ${String(r.cost).padStart(6)}`,
  );
}

const entry = fileURLToPath(new URL('../src/cel/index.ts', import.meta.url));
const bundle = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  metafile: true,
});
const code = bundle.outputFiles[0]!.contents;
console.log(
  `\nbundle of src/cel/index.ts with dependencies: ${(code.length / 1024).toFixed(1)} KB minified, ${(gzipSync(code, { level: 9 }).length / 1024).toFixed(1)} KB min+gzip`,
);
const byPackage = new Map<string, number>();
for (const [file, info] of Object.entries(Object.values(bundle.metafile.outputs)[0]!.inputs)) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'src/cel';
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
}
console.log(
  [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .map(([p, b]) => `  ${p}: ${(b / 1024).toFixed(1)} KB minified`)
    .join('\n'),
);
