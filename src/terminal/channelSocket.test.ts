import { describe, expect, it } from 'vitest';
import { ChannelSocket } from './channelSocket.ts';

/** A terminal whose parser runs only when the test says so; records what reached write(). */
function fakeTerminal() {
  const writes: Array<string | Uint8Array> = [];
  const callbacks: Array<() => void> = [];
  return {
    writes,
    write(data: string | Uint8Array, callback?: () => void) {
      writes.push(data);
      if (callback) callbacks.push(callback);
    },
    parseAll() {
      while (callbacks.length) callbacks.shift()?.();
    },
  };
}

describe('ChannelSocket (the attach addon’s WebSocket)', () => {
  it('delivers output as ArrayBuffer messages and sends what is typed to stdin', () => {
    const stdin: Array<string | Uint8Array> = [];
    const term = fakeTerminal();
    const socket = new ChannelSocket('/x', { sendStdin: (d) => stdin.push(d) }, term, () => {});
    const messages: unknown[] = [];
    socket.addEventListener('message', (e) => messages.push(e.data));
    expect(socket.readyState).toBe(ChannelSocket.CONNECTING);
    socket.send('ignored before open');
    socket.opened('v5.channel.k8s.io');
    expect(socket.readyState).toBe(ChannelSocket.OPEN);
    expect(socket.protocol).toBe('v5.channel.k8s.io');

    const payload = new Uint8Array([0x01, 0x68, 0x69]).subarray(1); // a view into a frame, as the client emits
    socket.output(payload);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(messages[0] as ArrayBuffer)]).toEqual([0x68, 0x69]);

    socket.send('ls\r');
    socket.send(new Uint8Array([0x1b, 0x5b]));
    expect(stdin).toEqual(['ls\r', new Uint8Array([0x1b, 0x5b])]);
  });

  it('closes only after every byte has been handed over (the addon stops listening on close)', async () => {
    const term = fakeTerminal();
    const socket = new ChannelSocket('/x', { sendStdin: () => {} }, term, () => {}, { highWater: 4, lowWater: 0 });
    const events: string[] = [];
    socket.addEventListener('message', (e) => events.push(`message ${(e.data as ArrayBuffer).byteLength}`));
    socket.addEventListener('close', (e) => events.push(`close ${e.code}`));
    socket.opened('v5.channel.k8s.io');
    socket.output(new Uint8Array(5));
    socket.output(new Uint8Array(3)); // queued: 5 bytes unparsed ≥ highWater
    const ended = socket.ended(1000, '');
    await Promise.resolve();
    expect(events).toEqual(['message 5']);
    term.parseAll();
    term.parseAll();
    await ended;
    expect(events).toEqual(['message 5', 'message 3', 'close 1000']);
    expect(socket.readyState).toBe(ChannelSocket.CLOSED);
  });

  it('close() from the addon side hangs the session up once', () => {
    let hangUps = 0;
    const socket = new ChannelSocket('/x', { sendStdin: () => {} }, fakeTerminal(), () => hangUps++);
    socket.opened('v4.channel.k8s.io');
    socket.close();
    socket.close();
    expect(hangUps).toBe(1);
    expect(socket.readyState).toBe(ChannelSocket.CLOSING);
  });
});
