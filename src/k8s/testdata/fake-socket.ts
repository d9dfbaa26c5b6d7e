// A WebSocketLike for tests: the test drives the server side with wire bytes (parsed by FrameParser, as a
// browser would parse them) and reads back the exact messages the client sent.
import { FrameParser, Opcode } from '../frames.ts';
import type { WebSocketLike } from '../types.ts';

type Listener = (event: never) => void;

export class FakeSocket implements WebSocketLike {
  protocol = '';
  readyState = 0;
  bufferedAmount = 0;
  binaryType = 'blob';
  /** Every message the client sent, copied at send time. */
  readonly sent: Uint8Array[] = [];
  readonly closeCalls: Array<{ code?: number; reason?: string }> = [];
  private readonly listeners = new Map<string, Listener[]>();
  private readonly parser = new FrameParser();

  send(data: ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error(`send() in readyState ${this.readyState}`);
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    this.sent.push(bytes.slice());
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState < 2) this.readyState = 2;
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  /** The server's 101 with this subprotocol. */
  open(protocol: string): void {
    this.protocol = protocol;
    this.readyState = 1;
    this.fire('open', {});
  }

  /** Server bytes as they come off the wire: data frames become message events, a close frame the close event. */
  receive(wire: Uint8Array): void {
    for (const frame of this.parser.push(wire)) {
      if (frame.opcode === Opcode.Binary) {
        const copy = frame.payload.slice();
        this.fire('message', { data: copy.buffer });
      } else if (frame.opcode === Opcode.Text) {
        this.fire('message', { data: new TextDecoder().decode(frame.payload) });
      } else if (frame.opcode === Opcode.Close) {
        const code = frame.payload.length >= 2 ? (frame.payload[0]! << 8) | frame.payload[1]! : 1005;
        const reason = new TextDecoder().decode(frame.payload.subarray(2));
        this.end(code, reason, true);
      }
    }
  }

  /** The connection ended; 1006 is a TCP close without a close frame, or a failed handshake. */
  end(code: number, reason = '', wasClean = false): void {
    this.readyState = 3;
    this.fire('close', { code, reason, wasClean });
  }

  fail(): void {
    this.fire('error', {});
    this.end(1006);
  }

  private fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (e: unknown) => void)(event);
  }
}
