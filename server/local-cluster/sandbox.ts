// Confinement of pod processes in a Linux user namespace (root inside, nobody outside, as `hostUsers: false`).
// The helper is our own Go program in server/sandbox, built on demand with the machine's Go into the git-ignored
// .porthole/bin (cached by a hash of its source). Without Go, or where the kernel refuses user namespaces, pods
// run unconfined — as nobody when we are root — and one log line says so.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NOBODY = 65534;

export interface Sandbox {
  /** True when processes run in their own user namespace. */
  readonly confined: boolean;
  /** Host uid/gid the processes appear as (and own their working directories as). */
  readonly hostUid: number;
  readonly hostGid: number;
  /** True when each container has a PID and mount namespace of its own that execs and ephemeral containers join. */
  readonly isolatesContainers: boolean;
  /** Turns an argv into what to spawn; `runAs` is set when the spawn itself must switch user. */
  wrap(argv: string[], options?: WrapOptions): { file: string; args: string[]; runAs?: { uid: number; gid: number } };
}

export interface WrapOptions {
  /** A container's main process: new PID and mount namespaces (the helper's init is their PID 1). */
  container?: boolean;
  /** Join the namespaces of this host pid (a container's init): an exec, or an ephemeral container's target. */
  join?: number;
}

/** The host pid of a sandboxed container's init: the helper's one child (threads each keep their own list). */
export function containerInitPid(helperPid: number): number | undefined {
  try {
    for (const task of readdirSync(`/proc/${helperPid}/task`)) {
      const children = readFileSync(`/proc/${helperPid}/task/${task}/children`, 'utf8').trim();
      if (children) return Number(children.split(' ')[0]);
    }
  } catch {
    // the helper is gone
  }
  return undefined;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_DIR = join(REPO_ROOT, 'server', 'sandbox');
const BIN_DIR = join(REPO_ROOT, '.porthole', 'bin');

function findGo(): string | null {
  for (const candidate of [process.env.GO, 'go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  return null;
}

/** Go needs a build cache and a GOPATH; without HOME (some CI environments) keep them under .porthole. */
function goCacheFallback(): Record<string, string> {
  const env: Record<string, string> = {};
  if (!process.env.GOCACHE && !process.env.XDG_CACHE_HOME && !process.env.HOME)
    env.GOCACHE = join(REPO_ROOT, '.porthole', 'go-cache');
  if (!process.env.GOPATH && !process.env.HOME) env.GOPATH = join(REPO_ROOT, '.porthole', 'go');
  return env;
}

/** Where the helper for the current source lives, or why the source cannot be read. */
function helperTarget(): { path: string } | { error: string } {
  try {
    const hash = createHash('sha256')
      .update(readFileSync(join(SOURCE_DIR, 'main.go')))
      .update(readFileSync(join(SOURCE_DIR, 'go.mod')))
      .digest('hex')
      .slice(0, 16);
    return { path: join(BIN_DIR, `porthole-sandbox-${hash}`) };
  } catch (error) {
    return { error: `sandbox helper source missing: ${(error as Error).message}` };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `go build` without blocking the event loop. */
function goBuild(go: string, output: string): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(go, ['build', '-trimpath', '-o', output, '.'], {
      cwd: SOURCE_DIR,
      env: { ...process.env, ...goCacheFallback(), CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => resolve({ ok: false, stderr: error.message }));
    child.on('close', (code) => resolve({ ok: code === 0, stderr }));
  });
}

/**
 * Builds (or finds the cached build of) the helper; returns its path or the reason it is unavailable. One process
 * builds at a time (a lock file in .porthole/bin): parallel test workers and servers wait for that build instead of
 * each compiling on a 2-core machine.
 */
export async function buildSandboxHelper(
  log: (line: string) => void = () => {},
): Promise<{ path: string } | { error: string }> {
  const target = helperTarget();
  if ('error' in target) return target;
  if (existsSync(target.path)) return target;
  const go = findGo();
  if (!go) return { error: 'Go is not installed (looked for $GO, go on PATH, /usr/local/go/bin/go)' };
  mkdirSync(BIN_DIR, { recursive: true });
  const lock = `${target.path}.lock`;
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    if (existsSync(target.path)) return target;
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      // Someone else is building; a lock older than five minutes belongs to a build that died.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { force: true });
      } catch {
        // the lock went away meanwhile
      }
      if (Date.now() > deadline) return { error: 'timed out waiting for another process to build server/sandbox' };
      await sleep(250);
    }
  }
  try {
    if (existsSync(target.path)) return target;
    log('local cluster: building the sandbox helper (server/sandbox) with Go, once per source change…');
    const temporary = `${target.path}.${process.pid}.tmp`;
    const build = await goBuild(go, temporary);
    if (!build.ok) {
      rmSync(temporary, { force: true });
      return { error: `building server/sandbox failed: ${build.stderr.trim()}` };
    }
    renameSync(temporary, target.path);
    return target;
  } finally {
    rmSync(lock, { force: true });
  }
}

export async function prepareSandbox(
  log: (line: string) => void,
  options: { disable?: boolean } = {},
): Promise<Sandbox> {
  const root = process.getuid?.() === 0;
  const unconfined = (reason: string): Sandbox => {
    const uid = root ? NOBODY : (process.getuid?.() ?? NOBODY);
    const gid = root ? NOBODY : (process.getgid?.() ?? NOBODY);
    log(
      `local cluster: pods run WITHOUT a user namespace (${reason}); ` +
        (root ? `processes run as uid ${NOBODY} (nobody) instead` : `processes run as the current user (uid ${uid})`),
    );
    return {
      confined: false,
      isolatesContainers: false,
      hostUid: uid,
      hostGid: gid,
      wrap: (argv) => ({ file: argv[0]!, args: argv.slice(1), ...(root ? { runAs: { uid, gid } } : {}) }),
    };
  };
  if (options.disable) return unconfined('disabled by option');
  if (process.platform !== 'linux') return unconfined(`user namespaces need Linux, this is ${process.platform}`);
  const helper = await buildSandboxHelper(log);
  if ('error' in helper) return unconfined(helper.error);
  const probe = spawnSync(helper.path, ['--probe'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return unconfined(`the kernel refused a user namespace: ${(probe.stderr || probe.error?.message || '').trim()}`);
  }
  log(`local cluster: pods run in user namespaces (uid 0 inside = uid ${NOBODY} on the host)`);
  return {
    confined: true,
    isolatesContainers: true,
    hostUid: NOBODY,
    hostGid: NOBODY,
    // --parent: the helper refuses to start a pod process when this server is already gone.
    wrap: (argv, options = {}) => ({
      file: helper.path,
      args: [
        '--parent',
        String(process.pid),
        ...(options.join ? ['--join', String(options.join)] : options.container ? ['--pid-namespace'] : []),
        '--',
        ...argv,
      ],
    }),
  };
}
