// The resize channel (4) as the kubelet reads it: one streaming JSON decoder over all channel-4 payloads, so an
// object may span messages and several may share one; keys match case-insensitively (Go's encoding/json), values
// are uint16. The first value that fails to decode ends resize processing for the session, as upstream.

export interface TerminalSize {
  width: number;
  height: number;
}

/** Upper bound for a value still being assembled: a resize object is tiny, so more than this is garbage. */
const MAX_PENDING = 4096;

export class ResizeDecoder {
  private pending = '';
  private failed: string | null = null;
  private readonly text = new TextDecoder('utf-8');

  /** Why decoding stopped for good, or null while it works. */
  get error(): string | null {
    return this.failed;
  }

  /** Feeds one channel-4 payload; returns the sizes completed by it. */
  push(payload: Uint8Array): TerminalSize[] {
    if (this.failed) return [];
    this.pending += this.text.decode(payload, { stream: true });
    const sizes: TerminalSize[] = [];
    for (;;) {
      this.pending = this.pending.replace(/^[\s]+/, '');
      if (this.pending === '') return sizes;
      const end = endOfValue(this.pending);
      if (end === -1) {
        if (this.pending.length > MAX_PENDING) this.stop('resize message too long');
        return sizes;
      }
      const raw = this.pending.slice(0, end);
      this.pending = this.pending.slice(end);
      const size = this.decode(raw);
      if (!size) return sizes;
      sizes.push(size);
    }
  }

  private stop(reason: string): null {
    this.failed = reason;
    this.pending = '';
    return null;
  }

  private decode(raw: string): TerminalSize | null {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      return this.stop(`invalid resize JSON: ${(error as Error).message}`);
    }
    const size = { width: 0, height: 0 };
    if (value === null) return size; // Go: decoding null into a struct is a no-op
    if (typeof value !== 'object' || Array.isArray(value)) return this.stop(`cannot decode ${raw} into a TerminalSize`);
    // Go prefers an exact key match, then a case-insensitive one; the last matching key wins.
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const field = key.toLowerCase() === 'width' ? 'width' : key.toLowerCase() === 'height' ? 'height' : null;
      if (!field || v === null) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535 || /[.eE]/.test(numberText(raw, key))) {
        return this.stop(`cannot decode ${JSON.stringify(v)} into the uint16 field ${field}`);
      }
      size[field] = v;
    }
    return size;
  }
}

/** The literal text of a key's number in the raw object (Go rejects 1.0 and 1e2 for integer fields). */
function numberText(raw: string, key: string): string {
  const at = raw.indexOf(JSON.stringify(key));
  if (at === -1) return '';
  const match = /:\s*(-?[0-9.eE+]+)/.exec(raw.slice(at));
  return match?.[1] ?? '';
}

/** Index just past the first complete JSON value at the start of `s`, or -1 when it is not complete yet. */
function endOfValue(s: string): number {
  const first = s[0];
  if (first === '{' || first === '[') {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  if (first === '"') {
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '\\') i++;
      else if (s[i] === '"') return i + 1;
    }
    return -1;
  }
  // A bare literal or number ends at whitespace or a structural character; at the end of input it may continue.
  const match = /^[^\s{}[\],"]+/.exec(s);
  if (!match) return 1; // a stray structural character: let JSON.parse report it
  return match[0].length < s.length ? match[0].length : -1;
}
