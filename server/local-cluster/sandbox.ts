// Confinement of pod processes in a Linux user namespace (root inside, nobody outside, as `hostUsers: false`).
// The helper is our own Go program in server/sandbox, built on demand with the machine's Go into the git-ignored
// .porthole/bin (cached by a hash of its source). Without Go, or where the kernel refuses user namespaces, pods
// run unconfined — as nobody when we are root — and one log line says so.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NOBODY = 65534;

export interface Sandbox {
  /** True when processes run in their own user namespace. */
  readonly confined: boolean;
  /** Host uid/gid the processes appear as (and own their working directories as). */
  readonly hostUid: number;
  readonly hostGid: number;
  /** Turns an argv into what to spawn; `runAs` is set when the spawn itself must switch user. */
  wrap(argv: string[]): { file: string; args: string[]; runAs?: { uid: number; gid: number } };
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

/** Builds (or finds the cached build of) the helper; returns its path or the reason it is unavailable. */
export function buildSandboxHelper(): { path: string } | { error: string } {
  let hash: string;
  try {
    hash = createHash('sha256')
      .update(readFileSync(join(SOURCE_DIR, 'main.go')))
      .update(readFileSync(join(SOURCE_DIR, 'go.mod')))
      .digest('hex')
      .slice(0, 16);
  } catch (error) {
    return { error: `sandbox helper source missing: ${(error as Error).message}` };
  }
  const target = join(BIN_DIR, `porthole-sandbox-${hash}`);
  if (existsSync(target)) return { path: target };
  const go = findGo();
  if (!go) return { error: 'Go is not installed (looked for $GO, go on PATH, /usr/local/go/bin/go)' };
  mkdirSync(BIN_DIR, { recursive: true });
  // Build under a unique name and rename: parallel test workers may build at the same time.
  const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
  const build = spawnSync(go, ['build', '-trimpath', '-o', temporary, '.'], {
    cwd: SOURCE_DIR,
    encoding: 'utf8',
    env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
  });
  if (build.status !== 0) {
    rmSync(temporary, { force: true });
    return { error: `building server/sandbox failed: ${(build.stderr || build.error?.message || '').trim()}` };
  }
  renameSync(temporary, target);
  return { path: target };
}

export function prepareSandbox(log: (line: string) => void, options: { disable?: boolean } = {}): Sandbox {
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
      hostUid: uid,
      hostGid: gid,
      wrap: (argv) => ({ file: argv[0]!, args: argv.slice(1), ...(root ? { runAs: { uid, gid } } : {}) }),
    };
  };
  if (options.disable) return unconfined('disabled by option');
  if (process.platform !== 'linux') return unconfined(`user namespaces need Linux, this is ${process.platform}`);
  const helper = buildSandboxHelper();
  if ('error' in helper) return unconfined(helper.error);
  const probe = spawnSync(helper.path, ['--probe'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return unconfined(`the kernel refused a user namespace: ${(probe.stderr || probe.error?.message || '').trim()}`);
  }
  log(`local cluster: pods run in user namespaces (uid 0 inside = uid ${NOBODY} on the host)`);
  return {
    confined: true,
    hostUid: NOBODY,
    hostGid: NOBODY,
    wrap: (argv) => ({ file: helper.path, args: ['--', ...argv] }),
  };
}
