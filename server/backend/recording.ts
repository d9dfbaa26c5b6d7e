// asciicast v2 recordings of shell output (https://docs.asciinema.org/manual/asciicast/v2/): a header line, then
// `[seconds, "o", text]` for what the pod printed (stdout and stderr channels) and `[seconds, "r", "COLSxROWS"]`
// for the terminal's resizes. Keystrokes are not recorded (a password typed at a prompt would be). One file per
// shell, mode 0600, in the recording directory (mode 0700).

import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditIdentity } from './audit.ts';
import type { RelayTarget } from './relay.ts';

export const RECORDING_NAME = /^[0-9A-Za-z][\w.-]*\.cast$/;

export interface RecordingHeader {
  version: 2;
  width: number;
  height: number;
  timestamp: number;
  title: string;
  env: { TERM: string };
  /** Porthole's own fields (players ignore unknown keys): whose shell it was, for the access check. */
  porthole: { shell: number; who: string; cluster: string; namespace: string; pod: string; container?: string };
}

/** The channel of a channel-protocol message and its payload (raw: first byte; base64: an ASCII digit). */
function channelOf(data: Buffer, base64: boolean): { channel: number; payload: Buffer } | undefined {
  if (data.length === 0) return undefined;
  if (!base64) return { channel: data[0]!, payload: data.subarray(1) };
  const digit = data[0]! - 0x30;
  return digit >= 0 && digit <= 9
    ? { channel: digit, payload: Buffer.from(data.subarray(1).toString(), 'base64') }
    : undefined;
}

export class ShellRecording {
  private readonly fd: number;
  private readonly started: number;
  private readonly decoders = new Map<number, TextDecoder>();
  private closed = false;

  constructor(
    readonly file: string,
    header: Omit<RecordingHeader, 'version' | 'timestamp' | 'width' | 'height' | 'env'>,
    private readonly base64: boolean,
    now = Date.now(),
  ) {
    this.started = now;
    this.fd = openSync(file, 'wx', 0o600);
    const full: RecordingHeader = {
      version: 2,
      width: 80,
      height: 24,
      timestamp: Math.floor(now / 1000),
      env: { TERM: 'xterm-256color' },
      ...header,
    };
    this.line(full);
  }

  private line(value: unknown): void {
    if (!this.closed) writeSync(this.fd, JSON.stringify(value) + '\n');
  }

  private at(): number {
    return Math.round((Date.now() - this.started) * 1000) / 1e6;
  }

  /** A message from the cluster: its stdout (1) and stderr (2) become output events. */
  fromCluster(data: Buffer): void {
    const m = channelOf(data, this.base64);
    if (!m || (m.channel !== 1 && m.channel !== 2) || m.payload.length === 0) return;
    let decoder = this.decoders.get(m.channel);
    if (!decoder) this.decoders.set(m.channel, (decoder = new TextDecoder('utf-8')));
    const text = decoder.decode(m.payload, { stream: true });
    if (text) this.line([this.at(), 'o', text]);
  }

  /** A message from the browser: only its resizes (channel 4) are recorded, never its keystrokes. */
  fromBrowser(data: Buffer): void {
    const m = channelOf(data, this.base64);
    if (!m || m.channel !== 4) return;
    try {
      const size = JSON.parse(m.payload.toString('utf8')) as { Width?: unknown; Height?: unknown };
      if (Number.isInteger(size.Width) && Number.isInteger(size.Height))
        this.line([this.at(), 'r', `${String(size.Width)}x${String(size.Height)}`]);
    } catch {
      // Not a resize the cluster would accept either.
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

export class RecordingStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }

  start(id: number, target: RelayTarget, who: AuditIdentity, protocol: string): ShellRecording {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const where = `${target.namespace}/${target.pod}${target.container ? ` (${target.container})` : ''}`;
    return new ShellRecording(
      join(this.dir, `${stamp}-${target.subresource}-${id}.cast`),
      {
        title: `${target.subresource} ${target.cluster}/${where}`,
        porthole: {
          shell: id,
          who: who.subject,
          cluster: target.cluster,
          namespace: target.namespace,
          pod: target.pod,
          ...(target.container ? { container: target.container } : {}),
        },
      },
      protocol.includes('base64'),
    );
  }

  /** The recordings of `who`, newest first, with their headers. */
  list(who: string): { name: string; bytes: number; header: RecordingHeader }[] {
    const out: { name: string; bytes: number; header: RecordingHeader }[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!RECORDING_NAME.test(name)) continue;
      const header = this.header(name);
      if (header?.porthole?.who === who) out.push({ name, bytes: statSync(join(this.dir, name)).size, header });
    }
    return out.sort((a, b) => b.header.timestamp - a.header.timestamp || (a.name < b.name ? 1 : -1));
  }

  /** The whole recording when it is `who`'s; undefined otherwise (no such file, or someone else's). */
  read(name: string, who: string): string | undefined {
    if (!RECORDING_NAME.test(name)) return undefined;
    if (this.header(name)?.porthole?.who !== who) return undefined;
    return readFileSync(join(this.dir, name), 'utf8');
  }

  private header(name: string): RecordingHeader | undefined {
    try {
      const text = readFileSync(join(this.dir, name), 'utf8');
      const nl = text.indexOf('\n');
      return JSON.parse(nl < 0 ? text : text.slice(0, nl)) as RecordingHeader;
    } catch {
      return undefined;
    }
  }
}
