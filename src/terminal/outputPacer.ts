// Flow control between a session's output and xterm.js (terminal-performance.md lessons 3–5).
//
// xterm.js parses what `write` hands it in time slices and throws data away past ~50 MB pending, so output must
// be handed over no faster than it is parsed. The pacer hands a chunk over at once while less than `highWater`
// bytes are unparsed (no batching, so a keystroke's echo is never delayed), then queues and asks the transport
// to pause; it resumes and drains when xterm's write callbacks bring the unparsed amount under `lowWater`.
// Chunks are never dropped, merged or reordered.

export interface OutputPacerOptions {
  /** Hands one chunk to the terminal (here: dispatches a `message` event that the attach addon writes). */
  deliver(chunk: Uint8Array): void;
  /** Calls `parsed` once everything delivered so far has been parsed (here: `terminal.write('', parsed)`). */
  afterParsed(parsed: () => void): void;
  /** Stop reading from the network, when the transport can (a browser WebSocket cannot; WebSocketStream can). */
  pause?(): void;
  resume?(): void;
  highWater?: number;
  lowWater?: number;
}

export const DEFAULT_HIGH_WATER = 1024 * 1024;
export const DEFAULT_LOW_WATER = 256 * 1024;

export class OutputPacer {
  #options: OutputPacerOptions;
  #highWater: number;
  #lowWater: number;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #unparsedBytes = 0;
  #deliveredBytes = 0;
  #paused = false;
  #pauses = 0;
  #maxUnparsed = 0;
  #maxQueued = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(options: OutputPacerOptions) {
    this.#options = options;
    this.#highWater = options.highWater ?? DEFAULT_HIGH_WATER;
    this.#lowWater = options.lowWater ?? DEFAULT_LOW_WATER;
    if (this.#lowWater > this.#highWater) throw new Error('OutputPacer: lowWater must not exceed highWater');
  }

  /** Bytes handed to the terminal and not yet parsed. */
  get unparsedBytes(): number {
    return this.#unparsedBytes;
  }

  /** Bytes received and waiting for the terminal to catch up. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Bytes handed to the terminal so far. */
  get deliveredBytes(): number {
    return this.#deliveredBytes;
  }

  /** High-water marks actually reached, and how often the transport was paused: the bound, measured. */
  get stats(): { maxUnparsedBytes: number; maxQueuedBytes: number; pauses: number } {
    return { maxUnparsedBytes: this.#maxUnparsed, maxQueuedBytes: this.#maxQueued, pauses: this.#pauses };
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    if (this.#queue.length === 0 && this.#unparsedBytes < this.#highWater) {
      this.#hand(chunk);
      return;
    }
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.byteLength;
    this.#maxQueued = Math.max(this.#maxQueued, this.#queuedBytes);
    if (!this.#paused) {
      this.#paused = true;
      this.#pauses++;
      this.#options.pause?.();
    }
  }

  /** Resolves once every pushed byte has been parsed by the terminal. */
  whenIdle(): Promise<void> {
    if (this.#queuedBytes === 0 && this.#unparsedBytes === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #hand(chunk: Uint8Array): void {
    this.#unparsedBytes += chunk.byteLength;
    this.#maxUnparsed = Math.max(this.#maxUnparsed, this.#unparsedBytes);
    this.#deliveredBytes += chunk.byteLength;
    this.#options.deliver(chunk);
    this.#options.afterParsed(() => this.#parsed(chunk.byteLength));
  }

  #parsed(bytes: number): void {
    this.#unparsedBytes -= bytes;
    if (this.#unparsedBytes <= this.#lowWater) {
      while (this.#queue.length > 0 && this.#unparsedBytes < this.#highWater) {
        const next = this.#queue.shift() as Uint8Array; // length checked above
        this.#queuedBytes -= next.byteLength;
        this.#hand(next);
      }
      if (this.#queue.length === 0 && this.#paused) {
        this.#paused = false;
        this.#options.resume?.();
      }
    }
    if (this.#queuedBytes === 0 && this.#unparsedBytes === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
