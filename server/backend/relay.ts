// One relayed exec/attach connection: the browser's WebSocket and the cluster's, joined message for message.
// It never looks inside a message (the browser speaks the channel protocol end to end); it only counts bytes,
// keeps memory bounded with backpressure both ways, pings each hop, and mirrors closes.

import type { RawData, WebSocket } from 'ws';
import { CLOSE_SHELL_IDLE, CLOSE_SHELL_MAX_DURATION, formatDuration } from './close-codes.ts';

export interface RelayTiming {
  /** Ping the browser this often (browsers cannot ping; proxies drop silent connections). */
  browserPingMs: number;
  /** Terminate the browser connection after this many unanswered pings in a row. */
  browserMissedPongs: number;
  /** Ping the cluster this often, as kubectl does (every 5 s). */
  upstreamPingMs: number;
  /** Terminate the cluster connection when no pong came for this long (kubectl: 61 s). */
  upstreamPongTimeoutMs: number;
  /** Close both sides after this long without a data message either way (Porthole's shell idle limit). */
  idleTimeoutMs: number;
  /** Close both sides this long after the shell opened, whatever the activity (Argo CD CVE-2023-40025). */
  maxDurationMs: number;
}

export interface RelayLimits {
  /** Stop reading from one side while more than this many bytes wait to be written to the other. */
  highWaterMark: number;
  /** Resume reading once the backlog is below this. */
  lowWaterMark: number;
}

export const DEFAULT_TIMING: RelayTiming = {
  browserPingMs: 30_000,
  browserMissedPongs: 2,
  upstreamPingMs: 5_000,
  upstreamPongTimeoutMs: 61_000,
  idleTimeoutMs: 30 * 60 * 1000,
  maxDurationMs: 8 * 60 * 60 * 1000,
};

export const DEFAULT_LIMITS: RelayLimits = { highWaterMark: 1024 * 1024, lowWaterMark: 256 * 1024 };

export interface RelayTarget {
  cluster: string;
  namespace: string;
  pod: string;
  subresource: 'exec' | 'attach';
  container?: string;
  tty: boolean;
  stdin: boolean;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** What a relay did; the audit record of issue 8 will be built from this. */
export interface RelayStats {
  readonly id: number;
  readonly target: RelayTarget;
  readonly protocol: string;
  readonly openedAt: number;
  closedAt?: number;
  bytesFromBrowser: number;
  bytesFromUpstream: number;
  messagesFromBrowser: number;
  messagesFromUpstream: number;
  /** Bytes accepted for writing but not yet flushed to the socket, per direction, now and at most. */
  pendingToBrowser: number;
  pendingToUpstream: number;
  maxPendingToBrowser: number;
  maxPendingToUpstream: number;
  /** Whether reading from that side is paused for backpressure, and how often it was. */
  upstreamPaused: boolean;
  browserPaused: boolean;
  upstreamPauses: number;
  browserPauses: number;
  /** Bytes the relay itself sent upstream (the Ctrl-D on a dropped TTY exec). */
  injectedToUpstream: number;
  browserClose?: CloseInfo;
  upstreamClose?: CloseInfo;
  /** Why the relay ended it from our side (shutdown's reason), when it did. */
  closedBy?: string;
}

/** ws's rule for codes that may appear in a close frame we send. */
export function isSendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}

/** Ctrl-D on stdin (channel 0): what a terminal hang-up would type, so a dropped tab does not orphan its shell. */
export const STDIN_EOT = Buffer.from([0x00, 0x04]);

/**
 * The Ctrl-D message in the negotiated protocol's framing: binary `00 04` for the raw protocols (v5, v4,
 * channel.k8s.io); for the base64 ones (text frames, channel as an ASCII digit, padded base64) the text `0BA==`.
 */
export function stdinEotMessage(protocol: string): { data: Buffer | string; binary: boolean } {
  if (protocol === 'base64.channel.k8s.io' || protocol === 'v4.base64.channel.k8s.io') {
    return { data: '0' + Buffer.from([0x04]).toString('base64'), binary: false };
  }
  return { data: STDIN_EOT, binary: true };
}

function reasonText(reason: Buffer): string {
  return reason.toString('utf8');
}

let nextId = 1;

export class Relay {
  readonly stats: RelayStats;
  private readonly timers: NodeJS.Timeout[] = [];
  private browserUnanswered = 0;
  private upstreamLastPong: number;
  private lastDataAt: number;
  private browserClosing = false;
  private upstreamClosing = false;
  private eotSent = false;
  private done = false;

  constructor(
    private readonly browser: WebSocket,
    private readonly upstream: WebSocket,
    target: RelayTarget,
    private readonly timing: RelayTiming,
    private readonly limits: RelayLimits,
    private readonly hooks: {
      onActivity?: () => void;
      onEnd?: (stats: RelayStats) => void;
      /** Each message from the cluster, before it is relayed (the audit reads the exit status from it). */
      onFromUpstream?: (data: Buffer, isBinary: boolean) => void;
      /** Each message from the browser, before it is relayed (the recording keeps its resizes). */
      onFromBrowser?: (data: Buffer, isBinary: boolean) => void;
    } = {},
  ) {
    const now = Date.now();
    this.upstreamLastPong = now;
    this.lastDataAt = now;
    this.stats = {
      id: nextId++,
      target,
      protocol: upstream.protocol,
      openedAt: now,
      bytesFromBrowser: 0,
      bytesFromUpstream: 0,
      messagesFromBrowser: 0,
      messagesFromUpstream: 0,
      pendingToBrowser: 0,
      pendingToUpstream: 0,
      maxPendingToBrowser: 0,
      maxPendingToUpstream: 0,
      upstreamPaused: false,
      browserPaused: false,
      upstreamPauses: 0,
      browserPauses: 0,
      injectedToUpstream: 0,
    };

    upstream.on('message', (data: RawData, isBinary: boolean) => this.fromUpstream(data as Buffer, isBinary));
    browser.on('message', (data: RawData, isBinary: boolean) => this.fromBrowser(data as Buffer, isBinary));
    browser.on('pong', () => (this.browserUnanswered = 0));
    upstream.on('pong', () => (this.upstreamLastPong = Date.now()));
    browser.on('close', (code: number, reason: Buffer) => this.browserClosed(code, reasonText(reason)));
    upstream.on('close', (code: number, reason: Buffer) => this.upstreamClosed(code, reasonText(reason)));
    // Errors are followed by 'close', which does the work; without a listener they would crash the process.
    browser.on('error', () => {});
    upstream.on('error', () => {});

    this.timers.push(setInterval(() => this.pingBrowser(), timing.browserPingMs));
    this.timers.push(setInterval(() => this.pingUpstream(), timing.upstreamPingMs));
    this.timers.push(
      setTimeout(
        () =>
          this.shutdown(
            CLOSE_SHELL_MAX_DURATION,
            `shell reached its maximum duration (${formatDuration(timing.maxDurationMs)})`,
          ),
        timing.maxDurationMs,
      ),
    );
    for (const timer of this.timers) timer.unref();
  }

  private get isTtyExec(): boolean {
    const t = this.stats.target;
    return t.subresource === 'exec' && t.tty && t.stdin;
  }

  private fromUpstream(data: Buffer, isBinary: boolean): void {
    this.stats.bytesFromUpstream += data.length;
    this.stats.messagesFromUpstream++;
    this.hooks.onFromUpstream?.(data, isBinary);
    this.activity();
    if (this.browser.readyState !== this.browser.OPEN) return;
    this.stats.pendingToBrowser += data.length;
    this.stats.maxPendingToBrowser = Math.max(this.stats.maxPendingToBrowser, this.stats.pendingToBrowser);
    // One message → one frame of the same type: ws never fragments a message sent with fin (the default).
    this.browser.send(data, { binary: isBinary }, () => {
      this.stats.pendingToBrowser -= data.length;
      if (this.stats.upstreamPaused && this.stats.pendingToBrowser <= this.limits.lowWaterMark) {
        this.stats.upstreamPaused = false;
        this.upstreamLastPong = Date.now();
        this.upstream.resume();
      }
    });
    if (!this.stats.upstreamPaused && this.stats.pendingToBrowser > this.limits.highWaterMark) {
      this.stats.upstreamPaused = true;
      this.stats.upstreamPauses++;
      this.upstream.pause();
    }
  }

  private fromBrowser(data: Buffer, isBinary: boolean): void {
    this.stats.bytesFromBrowser += data.length;
    this.stats.messagesFromBrowser++;
    this.hooks.onFromBrowser?.(data, isBinary);
    this.activity();
    if (this.upstream.readyState !== this.upstream.OPEN) return;
    this.stats.pendingToUpstream += data.length;
    this.stats.maxPendingToUpstream = Math.max(this.stats.maxPendingToUpstream, this.stats.pendingToUpstream);
    this.upstream.send(data, { binary: isBinary }, () => {
      this.stats.pendingToUpstream -= data.length;
      if (this.stats.browserPaused && this.stats.pendingToUpstream <= this.limits.lowWaterMark) {
        this.stats.browserPaused = false;
        this.browserUnanswered = 0;
        this.browser.resume();
      }
    });
    if (!this.stats.browserPaused && this.stats.pendingToUpstream > this.limits.highWaterMark) {
      this.stats.browserPaused = true;
      this.stats.browserPauses++;
      this.browser.pause();
    }
  }

  private activity(): void {
    this.lastDataAt = Date.now();
    this.hooks.onActivity?.();
  }

  private pingBrowser(): void {
    if (this.browser.readyState !== this.browser.OPEN) return;
    // While we are not reading from the browser its pongs cannot arrive: do not count them as missed.
    if (this.stats.browserPaused) return;
    if (this.browserUnanswered >= this.timing.browserMissedPongs) {
      this.browser.terminate();
      return;
    }
    this.browserUnanswered++;
    this.browser.ping();
  }

  private pingUpstream(): void {
    const now = Date.now();
    if (now - this.lastDataAt >= this.timing.idleTimeoutMs) {
      this.shutdown(CLOSE_SHELL_IDLE, `shell idle for ${formatDuration(this.timing.idleTimeoutMs)}`);
      return;
    }
    if (this.upstream.readyState !== this.upstream.OPEN) return;
    if (this.stats.upstreamPaused) {
      this.upstreamLastPong = now;
      return;
    }
    if (now - this.upstreamLastPong >= this.timing.upstreamPongTimeoutMs) {
      this.upstream.terminate();
      return;
    }
    this.upstream.ping();
  }

  /** Sends Ctrl-D once on a TTY exec that is ending without the page's own clean close. */
  private sendEot(): void {
    if (this.eotSent || !this.isTtyExec || this.upstream.readyState !== this.upstream.OPEN) return;
    this.eotSent = true;
    const eot = stdinEotMessage(this.stats.protocol);
    this.stats.injectedToUpstream += eot.data.length;
    this.upstream.send(eot.data, { binary: eot.binary });
  }

  private closeUpstream(code: number | undefined, reason: string): void {
    if (this.upstreamClosing) return;
    this.upstreamClosing = true;
    // Resume so the peer's close reply (queued behind data we stopped reading) can arrive.
    this.upstream.resume();
    if (code === undefined) this.upstream.close();
    else this.upstream.close(code, reason);
  }

  private closeBrowser(code: number | undefined, reason: string): void {
    if (this.browserClosing) return;
    this.browserClosing = true;
    this.browser.resume();
    if (code === undefined) this.browser.close();
    else this.browser.close(code, reason);
  }

  private browserClosed(code: number, reason: string): void {
    this.stats.browserClose = { code, reason };
    this.browserClosing = true;
    if (code !== 1000) this.sendEot();
    if (code === 1005) this.closeUpstream(undefined, '');
    else if (isSendableCloseCode(code)) this.closeUpstream(code, reason);
    else this.closeUpstream(1001, 'browser connection lost');
    this.maybeDone();
  }

  private upstreamClosed(code: number, reason: string): void {
    this.stats.upstreamClose = { code, reason };
    this.upstreamClosing = true;
    if (code === 1005) this.closeBrowser(undefined, '');
    else if (isSendableCloseCode(code)) this.closeBrowser(code, reason);
    // 1006 (no close frame) or anything unsendable: an abnormal end the page must tell apart from an exit.
    else this.closeBrowser(1011, 'upstream connection lost');
    this.maybeDone();
  }

  /** Ends the relay from our side (logout, session expiry, idle, server shutdown). */
  shutdown(browserCode: number, reason: string): void {
    this.stats.closedBy ??= reason;
    this.sendEot();
    this.closeUpstream(1000, '');
    this.closeBrowser(browserCode, reason);
  }

  /** Drops both connections at once (last resort at shutdown when a peer ignores the close handshake). */
  terminate(): void {
    this.browser.terminate();
    this.upstream.terminate();
  }

  private maybeDone(): void {
    if (this.done || !this.stats.browserClose || !this.stats.upstreamClose) return;
    this.done = true;
    this.stats.closedAt = Date.now();
    for (const timer of this.timers) clearTimeout(timer);
    this.hooks.onEnd?.(this.stats);
  }
}
