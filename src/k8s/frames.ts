// RFC 6455 frames, byte for byte. The browser never needs this (its WebSocket frames for it); the local
// cluster's server, the golden-transcript tests and the benchmarks do, so it lives in the pure core.

export const enum Opcode {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
}

export interface Frame {
  fin: boolean;
  opcode: Opcode;
  masked: boolean;
  /** Unmasked payload. */
  payload: Uint8Array;
}

/** Encodes one frame. Servers send unmasked frames; clients must mask with a fresh 4-byte key. */
export function encodeFrame(opcode: Opcode, payload: Uint8Array, options: { mask?: Uint8Array; fin?: boolean } = {}) {
  const { mask, fin = true } = options;
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const headerLength = 2 + lengthBytes + (mask ? 4 : 0);
  const frame = new Uint8Array(headerLength + length);
  frame[0] = (fin ? 0x80 : 0) | opcode;
  const maskBit = mask ? 0x80 : 0;
  if (lengthBytes === 0) {
    frame[1] = maskBit | length;
  } else if (lengthBytes === 2) {
    frame[1] = maskBit | 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = maskBit | 127;
    const view = new DataView(frame.buffer);
    view.setUint32(2, Math.floor(length / 0x1_0000_0000));
    view.setUint32(6, length >>> 0);
  }
  if (mask) {
    if (mask.length !== 4) throw new Error('a WebSocket mask key is 4 bytes');
    frame.set(mask, 2 + lengthBytes);
    for (let i = 0; i < length; i++) frame[headerLength + i] = payload[i]! ^ mask[i & 3]!;
  } else {
    frame.set(payload, headerLength);
  }
  return frame;
}

export class FrameError extends Error {
  constructor(
    message: string,
    /** The close code a server answers with (1002 protocol error, 1009 too big). */
    readonly closeCode: number,
  ) {
    super(message);
  }
}

/**
 * Incremental frame parser: feed it whatever TCP delivered (frames may be split across reads or coalesced in
 * one); it returns the complete frames. It does not reassemble fragmented messages: like x/net/websocket on the
 * server side, each frame is handed up on its own.
 */
export class FrameParser {
  private buffer: Uint8Array = new Uint8Array(0);

  constructor(private readonly options: { maxPayload?: number; requireMask?: boolean } = {}) {}

  push(chunk: Uint8Array): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private next(): Frame | null {
    const b = this.buffer;
    if (b.length < 2) return null;
    const fin = (b[0]! & 0x80) !== 0;
    if ((b[0]! & 0x70) !== 0) throw new FrameError('reserved bits set (no extension was negotiated)', 1002);
    const opcode = (b[0]! & 0x0f) as Opcode;
    const masked = (b[1]! & 0x80) !== 0;
    if (this.options.requireMask && !masked) throw new FrameError('client frame is not masked', 1002);
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = (b[2]! << 8) | b[3]!;
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      length = view.getUint32(2) * 0x1_0000_0000 + view.getUint32(6);
      offset = 10;
    }
    const max = this.options.maxPayload ?? 32 * 1024 * 1024;
    if (length > max) throw new FrameError(`frame of ${length} bytes exceeds the ${max}-byte limit`, 1009);
    if (opcode >= 0x8 && (length > 125 || !fin)) throw new FrameError('invalid control frame', 1002);
    const maskOffset = offset;
    if (masked) offset += 4;
    if (b.length < offset + length) return null;
    const payload = b.slice(offset, offset + length);
    if (masked) for (let i = 0; i < length; i++) payload[i] = payload[i]! ^ b[maskOffset + (i & 3)]!;
    this.buffer = b.subarray(offset + length);
    return { fin, opcode, masked, payload };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** `Sec-WebSocket-Accept` for a key is computed by the server with SHA-1; see server-side helpers. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
