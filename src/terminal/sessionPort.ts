// The narrow view of a channel session that a terminal tab needs; `openSession.ts` binds it to src/k8s.
import type { SessionEnd } from '../k8s/types.ts';
import type { TerminalTarget } from './target.ts';

export interface SessionHandlers {
  /** The WebSocket opened with this subprotocol (`v5.channel.k8s.io` or `v4.channel.k8s.io`). */
  onOpen(protocol: string): void;
  /** Terminal output (stdout, and stderr for a non-TTY command), raw bytes in order. */
  onOutput(bytes: Uint8Array): void;
  onEnd(end: SessionEnd): void;
}

export interface SessionPort {
  sendStdin(data: string | Uint8Array): void;
  /** Columns × rows; the client sends it only for TTY sessions and never 0×0. */
  resize(cols: number, rows: number): void;
  /** End on purpose: EOF/exit for a TTY exec so the shell ends (never for attach), then close. */
  hangUp(): void;
  /** Stop / restart reading from the network when the transport supports it. */
  pause?(): void;
  resume?(): void;
}

export interface OpenSessionOptions {
  /** The terminal's size when the session starts: sent right after the upgrade (§2.5). */
  cols: number;
  rows: number;
}

export type SessionOpener = (
  target: TerminalTarget,
  options: OpenSessionOptions,
  handlers: SessionHandlers,
) => SessionPort;
