// Runs the installed real kubectl binaries against a kubeconfig, with a small limit on how many run at once so the
// 2-core test machine is not swamped when the versions run concurrently.
import { spawn } from 'node:child_process';
import * as pty from 'node-pty';

export const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
export const kubectlBinary = (version: string) => `${KUBECTL_DIR}/kubectl.${version}`;

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/**
 * kubectl ≤ 1.33 starts reading frames before it registered its streams (kubernetes/kubernetes#131189, fixed in
 * client-go 1.34): an early frame — usually the initial empty one — is dropped with this klog line. A real
 * apiserver triggers it the same way; tests that compare stderr exactly leave this one line out.
 */
export function withoutStreamRegistrationRace(stderr: string): string {
  return stderr.replace(
    /^E\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ websocket\.go:\d+\] Unknown stream id 1, discarding message\n/gm,
    '',
  );
}

/** A counting semaphore. */
export class Slots {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free === 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.free--;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

export function kubectl(
  version: string,
  kubeconfig: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlBinary(version), args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: kubeconfig },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `kubectl ${args.join(' ')} did not finish in ${options.timeoutMs ?? 20_000} ms; stdout=${stdout} stderr=${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** kubectl inside a real pseudo-terminal, so it goes into raw mode and forwards window-size changes. */
export class KubectlInTerminal {
  output = '';
  exitCode: number | null = null;
  private readonly term: pty.IPty;
  private readonly exited: Promise<number>;

  constructor(version: string, kubeconfig: string, args: string[], size: { cols: number; rows: number }) {
    this.term = pty.spawn(kubectlBinary(version), args, {
      name: 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        KUBECONFIG: kubeconfig,
        TERM: 'xterm-256color',
      },
    });
    this.term.onData((d) => (this.output += d));
    this.exited = new Promise((resolve) =>
      this.term.onExit(({ exitCode }) => {
        this.exitCode = exitCode;
        resolve(exitCode);
      }),
    );
  }

  type(text: string): void {
    this.term.write(text);
  }

  /** TIOCSWINSZ on the terminal; the kernel sends kubectl SIGWINCH. */
  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  async waitFor(pattern: RegExp, what: string, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.exitCode !== null)
        throw new Error(`kubectl exited (${this.exitCode}) before ${what}; output: ${JSON.stringify(this.output)}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; output: ${JSON.stringify(this.output)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async exit(timeoutMs = 15_000): Promise<number> {
    const timer = setTimeout(() => this.term.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    this.term.kill('SIGKILL');
  }
}
