// The shell audit: one JSON line when an exec/attach connection opens and one when it closes, with who, where,
// what, from which client, for how long, how many bytes each way and how it ended. Nothing secret goes in: no
// cookie, no token, no Authorization; command arguments that look like credentials are redacted.

import { closeSync, openSync, writeSync, fstatSync } from 'node:fs';
import type { CloseInfo, RelayStats, RelayTarget } from './relay.ts';

export interface AuditIdentity {
  subject: string;
  groups: readonly string[];
}

export interface ShellAuditOpen {
  target: RelayTarget;
  command: string[];
  protocol: string;
  who: AuditIdentity;
  client: { address: string; userAgent: string };
  /** The asciicast file of its output, when recording is on. */
  recording?: string;
}

/** How a shell ended, as far as the relay saw it (the exit code from the v4/v5 error channel's Status). */
export interface ShellEnding {
  browserClose?: CloseInfo;
  clusterClose?: CloseInfo;
  exitCode?: number;
  /** Why Porthole closed it: a logout or expired session, an idle or dead connection, a shutdown. */
  closedBy?: string;
}

export interface ShellAuditRecord {
  event: 'shell.opened' | 'shell.closed';
  /** The same id on the opened and the closed line. */
  shell: number;
  who: AuditIdentity;
  cluster: string;
  namespace: string;
  pod: string;
  container?: string;
  subresource: 'exec' | 'attach';
  command?: string[];
  tty: boolean;
  stdin: boolean;
  protocol: string;
  client: { address: string; userAgent: string };
  recording?: string;
  start: string;
  end?: string;
  durationMs?: number;
  bytes?: { browserToCluster: number; clusterToBrowser: number };
  ended?: ShellEnding;
}

// A JWT, a bearer credential, or a `--token=`/`password=`-style argument.
const SECRETS: [RegExp, string][] = [
  [/\beyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[redacted jwt]'],
  [/\b(bearer)\s+\S+/gi, '$1 [redacted]'],
  [/((?:token|password|passwd|secret|api[-_]?key)[=:])\S+/gi, '$1[redacted]'],
];

export function redact(text: string): string {
  return SECRETS.reduce((s, [pattern, replacement]) => s.replace(pattern, replacement), text);
}

/** The exit code in a v4/v5 error-channel (3) message: 0 for Success, the ExitCode cause for NonZeroExitCode. */
export function exitCodeOf(message: Buffer | string, base64: boolean): number | undefined {
  let body: string;
  if (base64) {
    const text = message.toString();
    if (text[0] !== '3') return undefined;
    body = Buffer.from(text.slice(1), 'base64').toString('utf8');
  } else {
    if (typeof message === 'string' || message[0] !== 3) return undefined;
    body = message.subarray(1).toString('utf8');
  }
  try {
    const status = JSON.parse(body) as {
      status?: string;
      reason?: string;
      details?: { causes?: { reason?: string; message?: string }[] };
    };
    if (status.status === 'Success') return 0;
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    return status.reason === 'NonZeroExitCode' && cause?.message ? Number(cause.message) : undefined;
  } catch {
    return undefined;
  }
}

export class ShellAudit {
  constructor(private readonly write: (line: string) => void) {}

  opened(id: number, at: number, o: ShellAuditOpen): ShellAuditRecord {
    const record: ShellAuditRecord = {
      event: 'shell.opened',
      shell: id,
      who: o.who,
      cluster: o.target.cluster,
      namespace: o.target.namespace,
      pod: o.target.pod,
      ...(o.target.container ? { container: o.target.container } : {}),
      subresource: o.target.subresource,
      ...(o.target.subresource === 'exec' ? { command: o.command.map(redact) } : {}),
      tty: o.target.tty,
      stdin: o.target.stdin,
      protocol: o.protocol,
      client: { address: o.client.address, userAgent: redact(o.client.userAgent).slice(0, 256) },
      ...(o.recording ? { recording: o.recording } : {}),
      start: new Date(at).toISOString(),
    };
    this.write(JSON.stringify(record));
    return record;
  }

  closed(opened: ShellAuditRecord, stats: RelayStats, ending: ShellEnding): void {
    const end = stats.closedAt ?? Date.now();
    const record: ShellAuditRecord = {
      ...opened,
      event: 'shell.closed',
      end: new Date(end).toISOString(),
      durationMs: end - stats.openedAt,
      bytes: { browserToCluster: stats.bytesFromBrowser, clusterToBrowser: stats.bytesFromUpstream },
      ended: {
        ...(stats.browserClose ? { browserClose: redactClose(stats.browserClose) } : {}),
        ...(stats.upstreamClose ? { clusterClose: redactClose(stats.upstreamClose) } : {}),
        ...ending,
      },
    };
    this.write(JSON.stringify(record));
  }
}

const redactClose = (c: CloseInfo): CloseInfo => ({ code: c.code, reason: redact(c.reason) });

/**
 * Appends audit lines to FILE, created with mode 0600 (an audit log names people and commands); a file that
 * group or others may read is refused, as the key file is.
 */
export function fileAuditSink(file: string): { write: (line: string) => void; close: () => void } {
  const fd = openSync(file, 'a', 0o600);
  const mode = fstatSync(fd).mode & 0o777;
  if (mode & 0o077) {
    closeSync(fd);
    throw new Error(`the audit log ${file} may be read by others (mode 0${mode.toString(8)}): chmod 600 it`);
  }
  return { write: (line) => void writeSync(fd, line + '\n'), close: () => closeSync(fd) };
}
