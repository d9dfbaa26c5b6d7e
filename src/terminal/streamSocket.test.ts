import { describe, expect, it } from 'vitest';
import { StreamSocket } from './streamSocket.ts';

/** A WebSocketStream double: the test pushes server messages and ends the connection. */
function fakeStreamClass() {
  const instances: Array<{
    url: string;
    protocols: string[];
    push(message: ArrayBuffer): void;
    serverClose(code: number, reason: string): void;
    fail(): void;
    sent: Array<ArrayBufferLike | ArrayBufferView | string>;
    pulls: number;
  }> = [];
  class FakeWebSocketStream {
    opened: Promise<{ readable: ReadableStream<ArrayBuffer>; writable: WritableStream; protocol: string }>;
    closed: Promise<{ closeCode?: number; reason?: string }>;
    constructor(url: string, options?: { protocols?: string[] }) {
      let controller!: ReadableStreamDefaultController<ArrayBuffer>;
      let resolveClosed!: (v: { closeCode: number; reason: string }) => void;
      let rejectClosed!: (e: Error) => void;
      this.closed = new Promise((resolve, reject) => ((resolveClosed = resolve), (rejectClosed = reject)));
      const sent: Array<ArrayBufferLike | ArrayBufferView | string> = [];
      const instance = {
        url,
        protocols: options?.protocols ?? [],
        sent,
        pulls: 0,
        push: (m: ArrayBuffer) => controller.enqueue(m),
        serverClose: (code: number, reason: string) => {
          controller.close();
          resolveClosed({ closeCode: code, reason });
        },
        fail: () => {
          controller.error(new Error('network'));
          rejectClosed(new Error('network'));
        },
      };
      // highWaterMark 0: the stream pulls only when the reader asks, so `pulls` counts reads.
      const readable = new ReadableStream<ArrayBuffer>(
        {
          start: (c) => void (controller = c),
          pull: () => void instance.pulls++,
        },
        { highWaterMark: 0 },
      );
      const writable = new WritableStream({ write: (chunk) => void sent.push(chunk) });
      this.opened = Promise.resolve({ readable, writable, protocol: 'v5.channel.k8s.io' });
      instances.push(instance);
    }
    close() {}
  }
  return { FakeWebSocketStream, instances };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('StreamSocket', () => {
  it('opens with the protocol the server chose, delivers messages in order, and sends', async () => {
    const { FakeWebSocketStream, instances } = fakeStreamClass();
    const socket = new StreamSocket(FakeWebSocketStream, 'ws://x/exec', ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    const events: string[] = [];
    socket.addEventListener('open', () => events.push(`open ${socket.protocol}`));
    socket.addEventListener('message', (e: { data: ArrayBuffer }) => events.push(`message ${e.data.byteLength}`));
    await tick();
    expect(instances[0]?.protocols).toEqual(['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    instances[0]?.push(new ArrayBuffer(3));
    instances[0]?.push(new ArrayBuffer(5));
    await tick();
    socket.send(new Uint8Array([0, 0x61]));
    await tick();
    expect(events).toEqual(['open v5.channel.k8s.io', 'message 3', 'message 5']);
    expect(instances[0]?.sent).toHaveLength(1);
    expect(socket.readyState).toBe(1);
  });

  it('stops reading while paused and reads again on resume', async () => {
    const { FakeWebSocketStream, instances } = fakeStreamClass();
    const socket = new StreamSocket(FakeWebSocketStream, 'ws://x/exec', ['v5.channel.k8s.io']);
    const got: number[] = [];
    socket.addEventListener('message', (e: { data: ArrayBuffer }) => {
      got.push(e.data.byteLength);
      if (got.length === 1) socket.pause();
    });
    await tick();
    instances[0]?.push(new ArrayBuffer(1));
    instances[0]?.push(new ArrayBuffer(2));
    await tick();
    await tick();
    expect(got).toEqual([1]); // the second message waits in the stream: the browser stops reading the network
    socket.resume();
    await tick();
    expect(got).toEqual([1, 2]);
  });

  it('dispatches close only after every message the server sent before closing', async () => {
    const { FakeWebSocketStream, instances } = fakeStreamClass();
    const socket = new StreamSocket(FakeWebSocketStream, 'ws://x/exec', ['v5.channel.k8s.io']);
    const events: string[] = [];
    socket.addEventListener('message', (e: { data: ArrayBuffer }) => {
      events.push(`message ${e.data.byteLength}`);
      socket.pause();
    });
    socket.addEventListener('close', (e: { code: number; reason: string; wasClean: boolean }) =>
      events.push(`close ${e.code} ${e.wasClean}`),
    );
    await tick();
    instances[0]?.push(new ArrayBuffer(4));
    instances[0]?.push(new ArrayBuffer(6)); // e.g. the exit status, behind paused output
    instances[0]?.serverClose(1000, '');
    await tick();
    expect(events).toEqual(['message 4']);
    socket.resume();
    await tick();
    socket.resume();
    await tick();
    await tick();
    expect(events).toEqual(['message 4', 'message 6', 'close 1000 true']);
    expect(socket.readyState).toBe(3);
  });

  it('reports a failed connection as an unclean 1006 close', async () => {
    const { FakeWebSocketStream, instances } = fakeStreamClass();
    const socket = new StreamSocket(FakeWebSocketStream, 'ws://x/exec', ['v5.channel.k8s.io']);
    const closes: Array<{ code: number; wasClean: boolean }> = [];
    socket.addEventListener('close', (e: { code: number; wasClean: boolean }) => closes.push(e));
    await tick();
    instances[0]?.fail();
    await tick();
    await tick();
    expect(closes).toEqual([{ code: 1006, reason: '', wasClean: false }]);
  });
});
