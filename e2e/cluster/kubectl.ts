// Runs the preinstalled real kubectl binaries against the harness.
import { spawn } from 'node:child_process';
import * as pty from 'node-pty';

export const KUBECTL_VERSIONS = ['1.30', '1.31', '1.32', '1.33'] as const;

export function kubectlPath(version: string): string {
  return `/usr/lib/google-cloud-sdk/bin/kubectl.${version}`;
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment kubectl gets: only the harness kubeconfig, no inherited WebSocket/SPDY switches. */
export function kubectlEnv(kubeconfig: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('KUBECTL_') && k !== 'KUBECONFIG') env[k] = v;
  }
  return { ...env, KUBECONFIG: kubeconfig, NO_PROXY: '127.0.0.1,localhost', ...extra };
}

/** Runs kubectl to completion with optional stdin (then EOF). */
export function kubectl(
  version: string,
  kubeconfig: string,
  args: string[],
  options: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath(version), args, { env: kubectlEnv(kubeconfig, options.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`kubectl ${args.join(' ')} did not finish in ${options.timeoutMs ?? 30_000} ms: ${stdout} ${stderr}`),
      );
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** kubectl under a pseudo-terminal, for -it sessions: what a user at a terminal sees. */
export class KubectlTerminal {
  private readonly term: pty.IPty;
  private output = '';
  readonly exited: Promise<number>;

  constructor(version: string, kubeconfig: string, args: string[], size = { cols: 100, rows: 30 }) {
    this.term = pty.spawn(kubectlPath(version), args, {
      name: 'xterm',
      cols: size.cols,
      rows: size.rows,
      env: kubectlEnv(kubeconfig),
    });
    this.term.onData((d) => (this.output += d));
    this.exited = new Promise((resolve) => this.term.onExit(({ exitCode }) => resolve(exitCode)));
  }

  get text(): string {
    return this.output;
  }

  write(data: string): void {
    this.term.write(data);
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** Waits until the output (from `from` on) matches, or fails with what was seen. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000, from = 0): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.slice(from).match(pattern);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; terminal showed:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(): void {
    try {
      this.term.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Waits until RBAC (its informer cache) lets `user` do `verb` on pods/`subresource` — grants apply asynchronously. */
export async function waitUntilAllowed(
  kubeconfig: string,
  user: string,
  verb: string,
  subresource: string,
): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const check = await kubectl('1.33', kubeconfig, [
      'auth',
      'can-i',
      verb,
      'pods',
      `--subresource=${subresource}`,
      `--as=${user}`,
    ]);
    if (check.stdout === 'yes\n') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`RBAC never allowed ${user} to ${verb} pods/${subresource}`);
}
