// A pod process: under a pseudo-terminal (node-pty) for TTY containers and TTY exec, with pipes otherwise (stdout
// and stderr apart). Both start as session leaders so a hang-up reaches every descendant. `hold`/`release` pause
// reading its output while any consumer cannot keep up, so output is back-pressured to the process instead of
// being buffered in the server.
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, constants as fsConstants, openSync } from 'node:fs';
import * as pty from 'node-pty';
import { hangUpSession } from './process-tree.ts';

export type OutputStream = 'stdout' | 'stderr';

export interface SpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  tty: boolean;
  stdin: boolean;
  size?: { width: number; height: number };
  /** Run as this host user when not confined in a user namespace (root falls back to nobody). */
  uid?: number;
  gid?: number;
}

export interface LocalProcess {
  readonly pid: number;
  readonly tty: boolean;
  readonly exitCode: number | null;
  on(event: 'output', listener: (stream: OutputStream, data: Buffer) => void): this;
  /** After the process exited and all of its output was delivered. 128+N for death by signal N. */
  on(event: 'exit', listener: (exitCode: number) => void): this;
  off(event: 'output', listener: (stream: OutputStream, data: Buffer) => void): this;
  off(event: 'exit', listener: (exitCode: number) => void): this;
  /** Writes stdin; false when it had to be buffered because the process is not reading (pipes only). */
  write(data: Uint8Array): boolean;
  /** Calls back once buffered stdin was taken by the process (or the pipe closed). */
  whenInputDrained(callback: () => void): void;
  /** Stdin bytes waiting in the server for the process to read them. */
  inputBufferedBytes(): number;
  /** Stdin EOF (pipes only: a pseudo-terminal has no EOF short of Ctrl-D, which is the user's to send). */
  endInput(): void;
  resize(width: number, height: number): void;
  hold(holder: object): void;
  release(holder: object): void;
  /** SIGHUP to the session, SIGKILL after `graceMs`; resolves when the process exited. */
  hangUp(graceMs: number): Promise<void>;
}

abstract class BaseProcess extends EventEmitter implements LocalProcess {
  exitCode: number | null = null;
  /** Set once a hang-up began: input sent after that (a client's parting Ctrl-D) has nowhere to go. */
  protected hangingUp = false;
  protected readonly holders = new Set<object>();
  private readonly exited: Promise<void>;
  protected markExited!: () => void;

  constructor(
    readonly pid: number,
    readonly tty: boolean,
  ) {
    super();
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  protected finish(code: number): void {
    if (this.exitCode !== null) return;
    this.exitCode = code;
    this.markExited();
    this.emit('exit', code);
  }

  hold(holder: object): void {
    if (this.holders.size === 0) this.pause();
    this.holders.add(holder);
  }

  release(holder: object): void {
    if (!this.holders.delete(holder)) return;
    if (this.holders.size === 0) this.resume();
  }

  async hangUp(graceMs: number): Promise<void> {
    this.hangingUp = true;
    if (this.exitCode === null) await hangUpSession(this.pid, graceMs);
    // Output still buffered in a paused stream would keep 'exit' from firing: drop it, nobody is listening.
    this.holders.clear();
    this.resume();
    await this.exited;
  }

  protected abstract pause(): void;
  protected abstract resume(): void;
  abstract write(data: Uint8Array): boolean;
  abstract whenInputDrained(callback: () => void): void;
  abstract inputBufferedBytes(): number;
  abstract endInput(): void;
  abstract resize(width: number, height: number): void;
}

class PtyProcess extends BaseProcess {
  private lastOutputAt = Date.now();

  constructor(private readonly term: pty.IPty) {
    super(term.pid, true);
    term.onData((data: string | Buffer) => {
      this.lastOutputAt = Date.now();
      // encoding: null makes node-pty hand out Buffers; its typings still say string.
      this.emit('output', 'stdout', typeof data === 'string' ? Buffer.from(data) : data);
    });
    term.onExit(({ exitCode, signal }) => this.finish(signal ? 128 + signal : exitCode));
    this.drainBeforeTeardown();
  }

  /**
   * The tail of a command's output must not be lost when it exits. Two things lose it with a bare node-pty: when
   * the child's exit closes the last slave descriptor, Linux hangs the master up and reads may end in EIO while
   * output is still on its way (seen here: 2–13 KB of a 2 MB stream, most runs, under load); and node-pty
   * destroys its read stream 200 ms after the exit whether or not it has read everything (more so while we hold
   * it paused for back-pressure). So we keep a slave descriptor of our own open: the exit then hangs nothing up;
   * node-pty's post-exit teardown becomes our cue to read until the terminal goes quiet, then we close our
   * descriptor and the stream ends on its own (EIO once drained). A background child that keeps writing is cut
   * off after a few seconds, like the teardown it replaces. Uses node-pty's private `_pty` (the slave's path) and
   * `_socket` (its read stream), checked at start; tty-exit-output.test.ts pins the behaviour.
   */
  private drainBeforeTeardown(): void {
    const internals = this.term as unknown as {
      _pty?: string;
      _socket?: { destroy: (error?: Error) => unknown };
    };
    const socket = internals._socket;
    if (typeof internals._pty !== 'string' || !socket || typeof socket.destroy !== 'function') return;
    let slave: number | null = openSync(internals._pty, fsConstants.O_RDWR | fsConstants.O_NOCTTY);
    const closeSlave = () => {
      if (slave !== null) closeSync(slave);
      slave = null;
    };
    const destroy = socket.destroy.bind(socket);
    let draining = false;
    socket.destroy = (error?: Error) => {
      if (draining || error || slave === null) {
        closeSlave();
        return destroy(error);
      }
      draining = true;
      this.holders.clear();
      this.resume();
      const giveUp = Date.now() + 3000;
      const whenQuiet = () => {
        if (Date.now() - this.lastOutputAt >= 50 || Date.now() > giveUp) closeSlave();
        else setTimeout(whenQuiet, 20).unref();
      };
      whenQuiet();
      setTimeout(() => destroy(), 5000).unref();
      return socket;
    };
    this.term.onExit(closeSlave);
  }

  protected pause(): void {
    this.term.pause();
  }
  protected resume(): void {
    this.term.resume();
  }
  write(data: Uint8Array): boolean {
    if (this.exitCode === null && !this.hangingUp) this.term.write(Buffer.from(data));
    return true;
  }
  whenInputDrained(callback: () => void): void {
    callback();
  }
  inputBufferedBytes(): number {
    return 0;
  }
  endInput(): void {}
  resize(width: number, height: number): void {
    if (this.exitCode === null && width > 0 && height > 0) {
      // node-pty closes the pty before its exit event fires: a resize racing the exit must be ignored (as the
      // kubelet does), not crash the server with ioctl EBADF.
      try {
        this.term.resize(width, height);
      } catch {
        /* the process is ending */
      }
    }
  }
}

class PipeProcess extends BaseProcess {
  constructor(private readonly child: ChildProcess) {
    super(child.pid ?? -1, false);
    child.stdout?.on('data', (data: Buffer) => this.emit('output', 'stdout', data));
    child.stderr?.on('data', (data: Buffer) => this.emit('output', 'stderr', data));
    child.stdin?.on('error', () => {}); // EPIPE once the process stopped reading: its exit tells the story
    // 'close' comes after exit *and* the end of stdout/stderr, so all output precedes the exit status.
    child.on('close', (code, signal) => this.finish(code ?? 128 + signalNumber(signal)));
    child.on('error', () => this.finish(127));
  }
  protected pause(): void {
    this.child.stdout?.pause();
    this.child.stderr?.pause();
  }
  protected resume(): void {
    this.child.stdout?.resume();
    this.child.stderr?.resume();
  }
  write(data: Uint8Array): boolean {
    const stdin = this.child.stdin;
    if (!stdin || stdin.writableEnded || stdin.destroyed) return true;
    return stdin.write(data);
  }
  inputBufferedBytes(): number {
    return this.child.stdin?.writableLength ?? 0;
  }
  whenInputDrained(callback: () => void): void {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed || stdin.writableLength === 0) return callback();
    const done = () => {
      stdin.off('drain', done);
      stdin.off('close', done);
      callback();
    };
    stdin.on('drain', done);
    stdin.on('close', done);
  }
  endInput(): void {
    const stdin = this.child.stdin;
    if (stdin && !stdin.writableEnded) stdin.end();
  }
  resize(): void {}
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return (signal && numbers[signal]) ?? 0;
}

export function spawnLocalProcess(spec: SpawnSpec): LocalProcess {
  if (spec.tty) {
    const term = pty.spawn(spec.file, spec.args, {
      name: spec.env.TERM ?? 'xterm-256color',
      cols: spec.size?.width ?? 80,
      rows: spec.size?.height ?? 24,
      cwd: spec.cwd,
      env: spec.env,
      encoding: null,
      ...(spec.uid !== undefined ? { uid: spec.uid, gid: spec.gid } : {}),
    });
    return new PtyProcess(term);
  }
  const child = spawnChild(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true, // setsid: its own session, so a hang-up finds all of it
    stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    ...(spec.uid !== undefined ? { uid: spec.uid, gid: spec.gid } : {}),
  });
  return new PipeProcess(child);
}
