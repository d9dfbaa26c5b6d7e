// One exec/attach WebSocket after the 101, as the apiserver translator (v5) or the CRI streaming server (legacy)
// runs it: the initial empty frame, strict receive (one frame = one message, masking enforced, CLOSE exactly two
// bytes, unknown channels dropped, ping → pong, close → 1000), streaming resize decoding, output with
// back-pressure, and the end of session in upstream's order — output, one status, close 1000, TCP close.
import type { Duplex } from 'node:stream';
import { encodeFrame, FrameError, FrameParser, Opcode, type Frame } from '../../src/k8s/frames.ts';
import { Channel } from '../../src/k8s/types.ts';
import { decodeMessage, encodeMessage, type ChannelProtocol } from './channel-protocols.ts';
import type { LocalProcess, OutputStream } from './local-process.ts';
import type { StreamFault } from './faults.ts';
import { ResizeDecoder } from './resize-decoder.ts';
import { internalError as internal, statusJson, type Status } from './status.ts';

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** How the session ended, for the status channel. */
export type SessionOutcome =
  | { kind: 'exit'; exitCode: number; command: string[] }
  | { kind: 'attach-ended' }
  | { kind: 'failure'; legacyMessage: string; translatedMessage: string };

/** What the session streams: an exec process it owns, or a container's main process it attaches to. */
export interface SessionTarget {
  process: LocalProcess;
  /** exec: the session owns the process (hang it up on disconnect); attach: it only listens. */
  owned: boolean;
  /** Whether stdin may reach the process (attach: the container spec's `stdin`). */
  acceptsInput: boolean;
  command: string[];
}

export interface StreamSessionStats {
  id: number;
  subresource: 'exec' | 'attach';
  protocol: string;
  /** Bytes handed to the socket so far. */
  bytesSent: number;
  /** Largest number of bytes ever waiting in the socket's user-space write buffer. */
  maxBufferedBytes: number;
  /** How many times output reading was paused because the client was not keeping up. */
  pauses: number;
  /** Largest stdin backlog held for a process that was not reading, and how often that stopped socket reads. */
  maxInputBufferedBytes: number;
  inputPauses: number;
  /** Frames received without FIN or as continuations: a client that fragments (which upstream mis-reads). */
  fragmentedFrames: number;
  /** True once the faithful resize stall froze the receive loop. */
  stalled: boolean;
  open: boolean;
  /** The authenticated user who opened the stream (as an apiserver's audit log names it). */
  user?: string;
}

export interface StreamSessionOptions {
  socket: Duplex;
  /** Bytes that arrived with the upgrade request, already part of the WebSocket stream. */
  head: Buffer;
  protocol: ChannelProtocol;
  subresource: 'exec' | 'attach';
  streams: StreamOptions;
  /** The authenticated username, recorded in the stats. */
  user?: string;
  log: (line: string) => void;
  /** Data-idle timeout (apiserver: 4 h). */
  idleTimeoutMs: number;
  hangUpGraceMs: number;
  /**
   * Reproduce upstream's resize hazard (exec-protocol §2.5): after a resize that fails to decode, or a second
   * resize on a non-TTY session, the receive loop blocks for good (no stdin, no pongs). For client tests.
   */
  faithfulResizeStall?: boolean;
  /** Send a ping this often (upstream never pings; for clients that must answer server pings). */
  pingIntervalMs?: number;
  /** Misbehave on purpose (client tests only). */
  fault?: StreamFault;
  /**
   * Reassemble fragmented messages instead of x/net's frame-per-message reading (lenient mode, so a client test can
   * compare both and assert it never fragments).
   */
  reassembleFragments?: boolean;
  /** Like an idle proxy in between: cut TCP (no close frame) after this long without data in either direction. */
  proxyIdleTimeoutMs?: number;
}

const MAX_FRAME = 32 * 1024 * 1024;
let nextSessionId = 1;

export class StreamSession {
  readonly stats: StreamSessionStats;
  private readonly parser = new FrameParser({ requireMask: true, maxPayload: MAX_FRAME });
  private readonly resize = new ResizeDecoder();
  private target: SessionTarget | null = null;
  private stdinClosed = false;
  private closeSent = false;
  private finished = false;
  private holding = false;
  private nonTtyResizes = 0;
  private resizeBroken = false;
  private pingTimer: NodeJS.Timeout | null = null;
  private proxyTimer: NodeJS.Timeout | null = null;
  private fragments: Uint8Array[] = [];
  private fragmentBytes = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly onOutput = (stream: OutputStream, data: Buffer) => this.output(stream, data);
  private readonly onExit = (exitCode: number) => {
    if (!this.target) return;
    this.end(this.target.owned ? { kind: 'exit', exitCode, command: this.target.command } : { kind: 'attach-ended' });
  };
  private readonly onDrain = () => {
    this.holding = false;
    this.target?.process.release(this);
  };

  constructor(private readonly o: StreamSessionOptions) {
    this.stats = {
      id: nextSessionId++,
      subresource: o.subresource,
      protocol: o.protocol.name,
      bytesSent: 0,
      maxBufferedBytes: 0,
      pauses: 0,
      maxInputBufferedBytes: 0,
      inputPauses: 0,
      fragmentedFrames: 0,
      stalled: false,
      open: true,
      ...(o.user !== undefined ? { user: o.user } : {}),
    };
    const { socket } = o;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.disconnected());
    socket.on('error', () => socket.destroy());
    socket.on('drain', this.onDrain);
    this.touch();
    if (o.pingIntervalMs) {
      this.pingTimer = setInterval(() => this.write(encodeFrame(Opcode.Ping, new Uint8Array(0))), o.pingIntervalMs);
      this.pingTimer.unref();
    }
    // Upstream writes one empty message on the lowest writable channel right after the 101.
    const initial = o.streams.stdout ? Channel.Stdout : o.streams.stderr ? Channel.Stderr : Channel.Error;
    this.sendMessage(initial, new Uint8Array(0), true);
    if (o.fault === 'zero-length-message') this.write(encodeFrame(Opcode.Binary, new Uint8Array(0)));
    if (o.fault === 'unknown-channel') this.sendMessage(7, Buffer.from('x'));
    if (o.head.length > 0) this.receive(o.head);
  }

  /** Connects the process once it exists (exec may fail to start: then `end` with a failure instead). */
  attach(target: SessionTarget): void {
    if (this.finished) {
      if (target.owned) void target.process.hangUp(this.o.hangUpGraceMs);
      return;
    }
    this.target = target;
    target.process.on('output', this.onOutput);
    target.process.on('exit', this.onExit);
    if (target.process.exitCode !== null) this.onExit(target.process.exitCode);
  }

  // ---- receiving -------------------------------------------------------------------------------------------

  private receive(chunk: Buffer): void {
    if (this.finished || this.stats.stalled) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (error) {
      const code = error instanceof FrameError ? error.closeCode : 1002;
      this.o.log(`local cluster: closing stream: ${(error as Error).message}`);
      this.terminate(code);
      return;
    }
    for (const frame of frames) {
      if (this.finished || this.stats.stalled) return;
      this.frame(frame);
    }
  }

  private frame(frame: Frame): void {
    switch (frame.opcode) {
      case Opcode.Ping:
        if (this.o.fault !== 'no-pong') this.write(encodeFrame(Opcode.Pong, frame.payload));
        return;
      case Opcode.Pong:
        return;
      case Opcode.Close:
        // Whatever code the client sent, upstream answers 1000 and closes.
        this.terminate(1000);
        return;
      case Opcode.Text:
      case Opcode.Binary:
      case Opcode.Continuation:
        if (!frame.fin || frame.opcode === Opcode.Continuation) this.stats.fragmentedFrames++;
        if (this.o.reassembleFragments) {
          this.fragments.push(frame.payload);
          this.fragmentBytes += frame.payload.length;
          if (this.fragmentBytes > MAX_FRAME) return this.terminate(1009);
          if (!frame.fin) return;
          const whole = Buffer.concat(this.fragments);
          this.fragments = [];
          this.fragmentBytes = 0;
          this.message(whole);
          return;
        }
        // x/net hands every frame up as its own message, continuation frames included; the type is ignored.
        this.message(frame.payload);
        return;
      default:
        this.terminate(1002);
    }
  }

  private message(payload: Uint8Array): void {
    if (payload.length === 0) return;
    this.touch();
    const { protocol } = this.o;
    if (protocol.closeSignal && payload[0] === Channel.Close) {
      if (payload.length !== 2) {
        this.o.log(`local cluster: stream CLOSE signal must be 2 bytes, got ${payload.length}: closing the connection`);
        this.terminate(1000);
        return;
      }
      const channel = payload[1]!;
      if (channel > Channel.Resize) {
        this.o.log(`local cluster: stream CLOSE for invalid channel ${channel}: closing the connection`);
        this.terminate(1000);
        return;
      }
      if (channel === Channel.Stdin && !this.stdinClosed) {
        this.stdinClosed = true;
        if (this.target?.owned) this.target.process.endInput();
      }
      return;
    }
    const decoded = decodeMessage(protocol, payload);
    if (!decoded) {
      this.o.log('local cluster: dropping a message that is not valid base64');
      return;
    }
    const { channel, data } = decoded;
    if (channel === Channel.Stdin) {
      if (!this.o.streams.stdin || this.stdinClosed || !this.target?.acceptsInput || data.length === 0) return;
      const accepted = this.target.process.write(data);
      this.stats.maxInputBufferedBytes = Math.max(
        this.stats.maxInputBufferedBytes,
        this.target.process.inputBufferedBytes(),
      );
      if (!accepted) {
        this.stats.inputPauses++;
        // The process is not reading its input: stop reading the socket until it does, as upstream's receive
        // loop blocks on the pipe, instead of buffering stdin without bound.
        this.o.socket.pause();
        this.target.process.whenInputDrained(() => this.o.socket.resume());
      }
    } else if (channel === Channel.Resize) {
      if (this.resizeBroken) return this.stall('a resize after one that failed to decode');
      if (!this.o.streams.tty) {
        // Allocated but never consumed on non-TTY sessions: upstream swallows the first, then blocks.
        this.nonTtyResizes++;
        if (this.o.faithfulResizeStall && this.nonTtyResizes > 1) this.stall('a second resize on a non-TTY session');
        return;
      }
      for (const size of this.resize.push(data)) {
        if (size.width > 0 && size.height > 0) this.target?.process.resize(size.width, size.height);
      }
      if (this.resize.error) {
        this.o.log(`local cluster: resize processing stopped: ${this.resize.error}`);
        if (this.o.faithfulResizeStall) this.resizeBroken = true;
      }
    }
    // Channels 1-3 are server→client and anything ≥ 5 is unknown: dropped, as upstream does.
  }

  /**
   * Freezes the receive loop as upstream's blocked resize pipe does: no message, ping or close is handled any
   * more. Bytes are still drained from TCP (and dropped) so a disconnect is noticed and the process hung up.
   */
  private stall(why: string): void {
    this.o.log(`local cluster: receive loop stalled (faithful mode): ${why}`);
    this.stats.stalled = true;
  }

  // ---- sending ---------------------------------------------------------------------------------------------

  private output(stream: OutputStream, data: Buffer): void {
    if (this.finished || data.length === 0) return;
    const { streams } = this.o;
    // With a TTY there is no stderr channel: everything is the terminal's output on stdout.
    const channel = stream === 'stderr' && !streams.tty ? Channel.Stderr : Channel.Stdout;
    if (channel === Channel.Stdout ? !streams.stdout : !streams.stderr) return;
    this.sendMessage(channel, data);
  }

  private sendMessage(channel: number, data: Uint8Array, allowEmpty = false): void {
    if (data.length === 0 && !allowEmpty) return;
    const [opcode, payload] = encodeMessage(this.o.protocol, channel, data);
    const textFault = this.o.fault === 'text-frame' && channel !== Channel.Error && data.length > 0;
    this.write(encodeFrame(textFault ? Opcode.Text : opcode, payload));
    this.touch();
  }

  private write(bytes: Uint8Array): boolean {
    const { socket } = this.o;
    if (socket.destroyed || socket.writableEnded) return false;
    const ok = socket.write(bytes);
    this.stats.bytesSent += bytes.length;
    this.stats.maxBufferedBytes = Math.max(this.stats.maxBufferedBytes, socket.writableLength);
    if (!ok && !this.holding && this.target) {
      // The client is not keeping up: stop reading the process until the socket drains.
      this.holding = true;
      this.stats.pauses++;
      this.target.process.hold(this);
    }
    return ok;
  }

  private statusPayload(outcome: SessionOutcome): Uint8Array | null {
    const { protocol } = this.o;
    let legacy: Status;
    let translated: Status;
    if (outcome.kind === 'attach-ended' || (outcome.kind === 'exit' && outcome.exitCode === 0)) {
      legacy = translated = { status: 'Success' };
    } else if (outcome.kind === 'exit') {
      const code = String(outcome.exitCode);
      const details = { causes: [{ reason: 'ExitCode', message: code }] };
      // The CRI names the command; the translator re-wraps the kubelet's message, doubling the prefix.
      legacy = {
        status: 'Failure',
        message: `command terminated with non-zero exit code: error executing command [${outcome.command.join(' ')}], exit code ${code}`,
        reason: 'NonZeroExitCode',
        details,
      };
      translated = {
        status: 'Failure',
        message: `command terminated with non-zero exit code: command terminated with exit code ${code}`,
        reason: 'NonZeroExitCode',
        details,
      };
    } else {
      legacy = internal(outcome.legacyMessage);
      translated = internal(outcome.translatedMessage);
    }
    if (protocol.name === 'v5.channel.k8s.io') return Buffer.from(statusJson(translated, false));
    if (protocol.jsonStatus) return Buffer.from(statusJson(legacy, false));
    // v1 semantics: nothing on success, the bare message on failure.
    return legacy.status === 'Success' ? null : Buffer.from(legacy.message ?? '');
  }

  /** Ends the session normally: (output already sent) → status → close 1000 → TCP close without waiting. */
  end(outcome: SessionOutcome): void {
    if (this.finished) return;
    if (this.o.fault === 'abrupt-close') {
      this.finished = true;
      this.o.socket.destroy();
      this.cleanUp(false);
      return;
    }
    const status = this.statusPayload(outcome);
    if (status) this.sendMessage(Channel.Error, status);
    if (this.o.fault === 'status-without-close') {
      // Stop streaming but keep the connection: the client decides when it is over.
      this.cleanUp(false);
      this.target = null;
      return;
    }
    this.terminate(this.o.fault === 'close-1011' ? 1011 : 1000, false);
  }

  /** Sends a close frame (once) and closes TCP; a running exec process is hung up as a terminal would be. */
  private terminate(code: number, hangUp = true): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.closeSent) {
      this.closeSent = true;
      this.write(encodeFrame(Opcode.Close, Uint8Array.of(code >> 8, code & 0xff)));
    }
    const { socket } = this.o;
    socket.end();
    // x/net does not wait for the client's close reply; don't let a silent peer hold the socket either.
    setTimeout(() => socket.destroy(), 2000).unref();
    this.cleanUp(hangUp);
  }

  private disconnected(): void {
    if (!this.finished) {
      this.finished = true;
      this.cleanUp(true);
    }
    this.stats.open = false;
  }

  private cleanUp(hangUp: boolean): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.proxyTimer) clearTimeout(this.proxyTimer);
    const target = this.target;
    if (!target) return;
    target.process.off('output', this.onOutput);
    target.process.off('exit', this.onExit);
    target.process.release(this);
    this.holding = false;
    if (hangUp && target.owned && target.process.exitCode === null) {
      this.o.log(
        `local cluster: ${this.o.subresource} connection closed before pid ${target.process.pid} exited: hanging it up`,
      );
      void target.process.hangUp(this.o.hangUpGraceMs);
    }
  }

  private touch(): void {
    if (this.o.proxyIdleTimeoutMs) {
      if (this.proxyTimer) clearTimeout(this.proxyTimer);
      this.proxyTimer = setTimeout(() => {
        this.o.log(`local cluster: proxy idle timeout (${this.o.proxyIdleTimeoutMs} ms): cutting the connection`);
        this.finished = true;
        this.o.socket.destroy();
        this.cleanUp(true);
      }, this.o.proxyIdleTimeoutMs);
      this.proxyTimer.unref();
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.o.log(`local cluster: ${this.o.subresource} stream idle for ${this.o.idleTimeoutMs} ms: closing`);
      this.terminate(1000);
    }, this.o.idleTimeoutMs);
    this.idleTimer.unref();
  }
}
