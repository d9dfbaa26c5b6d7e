// Starts (or reuses) the real control plane of e2e/cluster/run.sh for a test file and hands back what
// ready.json says. Go is needed to build it; without Go the suites that need it must skip loudly.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const runScript = path.join(here, 'run.sh');
const buildDir = process.env.HARNESS_DIR ?? path.join(here, '.build');
const sharedState = path.join(buildDir, 'state');

/** ready.json, written by the fixture once the apiserver, the JWT path and the test pods all work. */
export interface HarnessReady {
  server: string;
  kubeconfig: string;
  context: string;
  caFile: string;
  adminCertFile: string;
  adminKeyFile: string;
  issuerURL: string;
  issuerCAFile: string;
  mintURL: string;
  audience: string;
  nodeNames: string[];
  kubeletPort: number;
  k8sVersion: string;
  apiserverLog: string;
  /** JSON lines, one audit event per exec/attach/portforward request (Metadata level). */
  auditLog: string;
  pid: number;
  startupMillis: number;
  apiserverReadyMillis: number;
}

/** The go binary run.sh will use, or undefined when this machine has none. */
export function findGo(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

export const goAvailable = findGo() !== undefined;

/** Says loudly, once per file, that a real-cluster suite is not running. */
export function reportSkipped(suite: string): void {
  if (!goAvailable) {
    console.warn(
      `\n⚠ SKIPPED ${suite}: Go is not installed (no "go" in PATH or /usr/local/go/bin/go), so the real ` +
        `kube-apiserver harness (e2e/cluster) cannot be built. These tests did NOT run.\n`,
    );
  }
}

function run(args: string[], state: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // Build and start progress goes straight to the terminal: a cold build takes many minutes.
    const child = spawn(runScript, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, HARNESS_STATE: state },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export interface Harness {
  ready: HarnessReady;
  /** True when this test file started the harness (and release() stops it). */
  owned: boolean;
  /** The state directory (ready.json, authentication-config.yaml, logs/). */
  stateDir: string;
  release(): Promise<void>;
}

/**
 * Reuses the shared harness if one is running (`e2e/cluster/run.sh start` in a terminal), else starts one of its
 * own with a private state directory — other test runs in the same checkout may be starting and stopping theirs.
 * `{ private: true }` always starts its own: for a test that changes the cluster's configuration (the
 * authentication config file), which other test files must not see.
 */
export async function useHarness(options: { private?: boolean } = {}): Promise<Harness> {
  let state = sharedState;
  let owned = false;
  if (options.private || (await run(['status'], state)) !== 0) {
    state = path.join(buildDir, `state-${process.pid}-${Date.now()}`);
    const code = await run(['start'], state);
    if (code !== 0) {
      const log = path.join(buildDir, 'failed-start', 'fixture.log');
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '(no fixture log)';
      throw new Error(
        `e2e/cluster/run.sh start failed (exit ${code}); logs in ${path.dirname(log)}; fixture log:\n${tail}`,
      );
    }
    owned = true;
  }
  const ready = JSON.parse(readFileSync(path.join(state, 'ready.json'), 'utf8')) as HarnessReady;
  return {
    ready,
    owned,
    stateDir: state,
    async release() {
      if (owned) await run(['stop'], state);
    },
  };
}

export interface AuditEvent {
  verb: string;
  requestURI: string;
  userAgent: string;
  stage: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

/** The apiserver's audit events for streaming requests whose URI contains `marker`. */
export function auditEvents(ready: HarnessReady, marker: string): AuditEvent[] {
  if (!existsSync(ready.auditLog)) return [];
  return readFileSync(ready.auditLog, 'utf8')
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((e) => e.requestURI.includes(marker));
}

/** Upper bound for useHarness(): a cold build of kube-apiserver on 2 busy cores. */
export const HARNESS_START_TIMEOUT_MS = 45 * 60_000;

/** Asks the harness's issuer for a signed ID token (the apiserver maps `sub` to user `oidc:<sub>`). */
export function mintToken(
  ready: HarnessReady,
  request: { sub: string; groups?: string[]; ttlSeconds?: number; claims?: Record<string, unknown> },
): Promise<string> {
  const body = JSON.stringify(request);
  return new Promise((resolve, reject) => {
    const req = https.request(
      ready.mintURL,
      {
        method: 'POST',
        ca: readFileSync(ready.issuerCAFile),
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`mint: HTTP ${res.statusCode}: ${text}`));
          else resolve((JSON.parse(text) as { token: string }).token);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
