// asciicast v2, read for replay: the header and the events in time order. A malformed file gets a message that
// names its line; nothing in it is run (output events are terminal text, written to xterm.js like a shell's).

export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp?: number;
  title?: string;
}

export type AsciicastEvent =
  { at: number; kind: 'o'; text: string } | { at: number; kind: 'r'; cols: number; rows: number };

export type ParsedAsciicast =
  | { ok: true; header: AsciicastHeader; events: AsciicastEvent[]; durationSeconds: number }
  | { ok: false; message: string };

export function parseAsciicast(text: string): ParsedAsciicast {
  const lines = text.split('\n');
  let header: AsciicastHeader;
  try {
    header = JSON.parse(lines[0] ?? '') as AsciicastHeader;
  } catch {
    return { ok: false, message: 'line 1: not an asciicast header (JSON)' };
  }
  if (header?.version !== 2) return { ok: false, message: 'line 1: only asciicast version 2 can be replayed' };
  if (!Number.isInteger(header.width) || !Number.isInteger(header.height) || header.width < 1 || header.height < 1)
    return { ok: false, message: 'line 1: the header needs a positive integer width and height' };
  const events: AsciicastEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      return { ok: false, message: `line ${i + 1}: not JSON` };
    }
    if (!Array.isArray(e) || typeof e[0] !== 'number' || typeof e[1] !== 'string' || typeof e[2] !== 'string')
      return { ok: false, message: `line ${i + 1}: an event is [seconds, kind, data]` };
    const [at, kind, data] = e as [number, string, string];
    if (kind === 'o') events.push({ at, kind, text: data });
    else if (kind === 'r') {
      const m = /^(\d+)x(\d+)$/.exec(data);
      if (m) events.push({ at, kind, cols: Number(m[1]), rows: Number(m[2]) });
    }
    // Input ("i") and markers ("m") are not replayed.
  }
  events.sort((a, b) => a.at - b.at);
  return { ok: true, header, events, durationSeconds: events.length ? events[events.length - 1]!.at : 0 };
}
