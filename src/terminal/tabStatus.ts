// What a tab's status line says, derived from how its session ended. The distinction that matters most
// (exec-protocol.md §11.7): a command that exited (with its code) is not a connection that dropped.
import type { SessionEnd } from '../k8s/types.ts';

export type TabStatus =
  | { state: 'connecting' }
  | { state: 'connected'; protocol: string }
  | { state: 'exited'; exitCode: number }
  | { state: 'failed'; message: string }
  | { state: 'lost'; detail: string }
  | { state: 'closed' };

/** The status after a session ended. `diagnostic` is the plain-GET message when the upgrade never completed. */
export function statusFromEnd(end: SessionEnd, diagnostic?: string): TabStatus {
  const result = end.result;
  if (result?.kind === 'success') return { state: 'exited', exitCode: 0 };
  if (result?.kind === 'exit') return { state: 'exited', exitCode: result.exitCode };
  if (result?.kind === 'failure') return { state: 'failed', message: result.message };
  if (result?.kind === 'protocol-error') return { state: 'failed', message: `protocol error: ${result.message}` };
  if (end.hungUp) return { state: 'closed' };
  if (!end.opened) return { state: 'failed', message: diagnostic ?? 'the WebSocket upgrade was refused' };
  if (end.dropped) {
    return { state: 'lost', detail: `close code ${end.closeCode}${end.closeReason ? `: ${end.closeReason}` : ''}` };
  }
  // No status and a clean close: success, as kubectl reads it (§2.6 rule 5).
  return { state: 'exited', exitCode: 0 };
}

export function statusText(status: TabStatus): string {
  switch (status.state) {
    case 'connecting':
      return 'connecting…';
    case 'connected':
      return `connected (${status.protocol.startsWith('v5.') ? 'protocol v5' : status.protocol.startsWith('v4.') ? 'protocol v4' : status.protocol})`;
    case 'exited':
      return `exited with code ${status.exitCode}`;
    case 'failed':
      return status.message;
    case 'lost':
      return `connection lost (${status.detail})`;
    case 'closed':
      return 'closed';
  }
}

/** The action the status line offers: a new process for exec, the same process again for attach. */
export function statusAction(status: TabStatus, mode: 'exec' | 'attach'): 'Reopen' | 'Reconnect' | null {
  switch (status.state) {
    case 'exited':
    case 'failed':
      return mode === 'attach' ? 'Reconnect' : 'Reopen';
    case 'lost':
      return 'Reconnect';
    default:
      return null;
  }
}
