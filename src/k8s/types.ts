// The contract between the channel-protocol client (src/k8s) and its users (terminal UI, server tests, CLI).
// Names follow Kubernetes: ExecOptions mirrors core/v1 PodExecOptions / PodAttachOptions.

/** Subprotocols a client offers, best first. v5 adds the stdin CLOSE signal; v4 is the legacy CRI path. */
export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
export type ChannelProtocol = (typeof CHANNEL_PROTOCOLS)[number];

export const enum Channel {
  Stdin = 0,
  Stdout = 1,
  Stderr = 2,
  Error = 3,
  Resize = 4,
  /** v5 only: `[0xFF, channel]` closes that input channel (stdin EOF). */
  Close = 255,
}

export type StreamingSubresource = 'exec' | 'attach';

export interface ExecOptions {
  /** argv for exec; must be absent for attach. */
  command?: string[];
  container?: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The minimal WebSocket surface we use: satisfied by the browser's WebSocket and by the `ws` package in Node. */
export interface WebSocketLike {
  readonly protocol: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string; wasClean: boolean }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

/** What channel 3 (or its absence) says about how the command ended. */
export type ExecResult =
  | { kind: 'success' }
  | { kind: 'exit'; exitCode: number; message: string }
  | { kind: 'failure'; reason: string; message: string; code?: number }
  | { kind: 'protocol-error'; message: string };

/** How a session ended: the command's result if one arrived, and how the transport closed. */
export interface SessionEnd {
  result: ExecResult | null;
  closeCode: number;
  closeReason: string;
  /** True when the connection dropped (no status and no clean 1000 close): tell it apart from an exit. */
  dropped: boolean;
  /** False when the WebSocket never opened (refused upgrade, network error): run the diagnostic GET (§1.7). */
  opened: boolean;
  /** True when this side ended the session on purpose (`hangUp()`); `result` is then null unless a status came. */
  hungUp: boolean;
}

/** A terminal size as Kubernetes' remotecommand.TerminalSize: Width = columns, Height = rows, both uint16. */
export interface TerminalSize {
  width: number;
  height: number;
}
