// ExecSession rules beyond the transcripts: stdin chunking, resize filtering, keepalive, hang-up, negotiation.
import { describe, expect, it } from 'vitest';
import { ExecSession, HANG_UP_KEYS, MAX_MESSAGE_BYTES, type ExecSessionOptions } from './session.ts';
import { FakeSocket } from './testdata/fake-socket.ts';
import { hex } from './testdata/transcripts.ts';

const V5 = 'v5.channel.k8s.io';
const V4 = 'v4.channel.k8s.io';
const decode = (m: Uint8Array) => new TextDecoder().decode(m.subarray(1));

/** Interval timers the test advances by hand. */
class ManualTimers {
  private next = 1;
  readonly active = new Map<number, { callback: () => void; ms: number }>();
  setInterval(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.active.set(id, { callback, ms });
    return id;
  }
  clearInterval(handle: unknown): void {
    this.active.delete(handle as number);
  }
  tick(times = 1): void {
    for (let i = 0; i < times; i++) for (const { callback } of [...this.active.values()]) callback();
  }
}

function start(options: Partial<ExecSessionOptions> = {}) {
  const socket = new FakeSocket();
  const timers = new ManualTimers();
  const session = new ExecSession(socket, { subresource: 'exec', stdin: false, tty: false, timers, ...options });
  return { socket, session, timers };
}

describe('stdin', () => {
  it('splits a 1 MB paste into ordered messages of at most 32 KiB that concatenate to the input', () => {
    const { socket, session } = start({ stdin: true });
    socket.open(V5);
    const paste = Uint8Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 251);
    expect(session.writeStdin(paste)).toBe(true);
    // 32 KiB = 32768 bytes per message, channel byte included (the limit of exec-protocol.md §2.1).
    expect(MAX_MESSAGE_BYTES).toBe(32768);
    expect(Math.max(...socket.sent.map((m) => m.length))).toBe(32768);
    expect(socket.sent.every((m) => m.length > 1 && m[0] === 0)).toBe(true);
    expect(socket.sent.length).toBe(Math.ceil(1_000_000 / 32767));
    const joined = new Uint8Array(1_000_000);
    let offset = 0;
    for (const m of socket.sent) {
      joined.set(m.subarray(1), offset);
      offset += m.length - 1;
    }
    expect(offset).toBe(paste.length);
    expect(joined.findIndex((b, i) => b !== paste[i])).toBe(-1); // (toEqual on 1 MB is needlessly slow)
  });

  it('queues writes made before the upgrade and sends them, after the initial resize, on open', () => {
    const { socket, session } = start({ stdin: true, tty: true, initialSize: { width: 80, height: 24 } });
    expect(session.writeStdin('echo hi\r')).toBe(true);
    expect(socket.sent).toEqual([]);
    socket.open(V5);
    expect(socket.sent.map(decode)).toEqual(['{"Width":80,"Height":24}\n', 'echo hi\r']);
  });

  it('sends the initial size before anything an open listener writes', () => {
    const { socket, session } = start({ stdin: true, tty: true, initialSize: { width: 80, height: 24 } });
    session.on('open', () => session.writeStdin('from listener'));
    socket.open(V5);
    expect(socket.sent.map(decode)).toEqual(['{"Width":80,"Height":24}\n', 'from listener']);
  });

  it('queues a CLOSE requested before the upgrade behind the data (v5)', () => {
    const { socket, session } = start({ stdin: true });
    session.writeStdin('data');
    expect(session.closeStdin()).toBe(true);
    expect(session.writeStdin('late')).toBe(false);
    socket.open(V5);
    expect(socket.sent).toEqual([new Uint8Array([0, 0x64, 0x61, 0x74, 0x61]), hex('ff 00')]);
  });

  it('drops a queued CLOSE when the server picks v4, which cannot signal end of stdin', () => {
    const { socket, session } = start({ stdin: true });
    session.closeStdin();
    socket.open(V4);
    expect(socket.sent).toEqual([]);
  });

  it('refuses data after CLOSE, after the end, and throws when stdin was never requested', () => {
    const { socket, session } = start({ stdin: true });
    socket.open(V5);
    session.closeStdin();
    expect(session.writeStdin('x')).toBe(false);
    expect(socket.sent).toEqual([hex('ff 00')]);
    const noStdin = start();
    expect(() => noStdin.session.writeStdin('x')).toThrow('this session was opened without stdin');
    expect(noStdin.session.closeStdin()).toBe(false);
  });

  it('sends nothing for an empty write', () => {
    const { socket, session } = start({ stdin: true });
    socket.open(V5);
    expect(session.writeStdin('')).toBe(true);
    expect(socket.sent).toEqual([]);
  });
});

describe('resize', () => {
  it.each([
    ['zero', { width: 0, height: 24 }],
    ['NaN (a hidden terminal)', { width: NaN, height: NaN }],
    ['negative', { width: -1, height: 24 }],
    ['above uint16', { width: 65536, height: 24 }],
    ['a fraction below 1', { width: 0.5, height: 24 }],
  ])('ignores %s', (_name, size) => {
    const { socket, session } = start({ stdin: true, tty: true });
    socket.open(V5);
    expect(session.resize(size)).toBe(false);
    expect(socket.sent).toEqual([]);
  });

  it('sends integers only, and an unchanged size once', () => {
    const { socket, session } = start({ stdin: true, tty: true });
    socket.open(V5);
    expect(session.resize({ width: 100.7, height: 30.2 })).toBe(true);
    expect(session.resize({ width: 100, height: 30 })).toBe(false);
    expect(session.resize({ width: 65535, height: 1 })).toBe(true);
    expect(socket.sent.map(decode)).toEqual(['{"Width":100,"Height":30}\n', '{"Width":65535,"Height":1}\n']);
    expect(socket.sent.every((m) => m[0] === 4)).toBe(true);
  });

  it('never sends channel 4 on a non-TTY session', () => {
    const { socket, session, timers } = start({ stdin: true, initialSize: { width: 80, height: 24 } });
    socket.open(V5);
    expect(session.resize({ width: 100, height: 30 })).toBe(false);
    timers.tick(3);
    expect(socket.sent.some((m) => m[0] === 4)).toBe(false);
  });
});

describe('keepalive (§3.3)', () => {
  it('re-sends the current size on a TTY every interval (30 s by default)', () => {
    const { socket, session, timers } = start({ stdin: true, tty: true, initialSize: { width: 80, height: 24 } });
    socket.open(V5);
    expect([...timers.active.values()].map((t) => t.ms)).toEqual([30_000]);
    session.resize({ width: 100, height: 30 });
    timers.tick(2);
    expect(socket.sent.map(decode)).toEqual([
      '{"Width":80,"Height":24}\n',
      '{"Width":100,"Height":30}\n',
      '{"Width":100,"Height":30}\n',
      '{"Width":100,"Height":30}\n',
    ]);
  });

  it('sends an empty stdin message on a non-TTY session with stdin open, and stops after CLOSE', () => {
    const { socket, session, timers } = start({ stdin: true, keepaliveIntervalMs: 25_000 });
    socket.open(V5);
    expect([...timers.active.values()].map((t) => t.ms)).toEqual([25_000]);
    timers.tick();
    expect(socket.sent).toEqual([new Uint8Array([0])]);
    session.closeStdin();
    timers.tick(2);
    expect(socket.sent).toEqual([new Uint8Array([0]), hex('ff 00')]);
  });

  it('has nothing to send on a non-TTY session without stdin', () => {
    const { socket, timers } = start();
    socket.open(V5);
    timers.tick(3);
    expect(socket.sent).toEqual([]);
  });

  it('starts at open, stops at the end, and can be disabled', () => {
    const { socket, timers } = start({ stdin: true });
    expect(timers.active.size).toBe(0);
    socket.open(V5);
    expect(timers.active.size).toBe(1);
    socket.receive(hex('88 02 03 e8'));
    expect(timers.active.size).toBe(0);
    const off = start({ stdin: true, keepaliveIntervalMs: 0 });
    off.socket.open(V5);
    expect(off.timers.active.size).toBe(0);
  });
});

describe('hangUp', () => {
  it('types the exit keys into a TTY exec shell, then closes with 1000', async () => {
    const { socket, session, timers } = start({ stdin: true, tty: true });
    socket.open(V5);
    session.hangUp();
    expect(socket.sent.map(decode)).toEqual([HANG_UP_KEYS]);
    expect(socket.sent[0]![0]).toBe(0);
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: undefined }]);
    expect(timers.active.size).toBe(0);
    socket.end(1000, '', true);
    expect(await session.ended).toMatchObject({ result: null, dropped: false, hungUp: true, closeCode: 1000 });
  });

  it('sends the v5 CLOSE first for a non-TTY exec with stdin', () => {
    const { socket, session } = start({ stdin: true });
    socket.open(V5);
    session.hangUp();
    expect(socket.sent).toEqual([hex('ff 00')]);
    expect(socket.closeCalls).toHaveLength(1);
  });

  it('only closes on v4 non-TTY exec, and on attach (never ending the container’s main process)', () => {
    const v4 = start({ stdin: true });
    v4.socket.open(V4);
    v4.session.hangUp();
    expect(v4.socket.sent).toEqual([]);
    const attach = start({ subresource: 'attach', stdin: true, tty: true });
    attach.socket.open(V5);
    attach.session.hangUp();
    attach.session.hangUp();
    expect(attach.socket.sent).toEqual([]);
    expect(attach.socket.closeCalls).toHaveLength(1);
  });

  it('keeps a status that arrived before the hang-up', async () => {
    const { socket, session } = start({ stdin: true, tty: true });
    socket.open(V5);
    socket.receive(
      hex(
        '82 23 03 7b 22 6d 65 74 61 64 61 74 61 22 3a 7b 7d 2c 22 73 74 61 74 75 73 22 3a 22 53 75 63 63 65 73 73 22 7d',
      ),
    );
    session.hangUp();
    socket.end(1000, '', true);
    expect(await session.ended).toMatchObject({ result: { kind: 'success' }, hungUp: true, dropped: false });
  });
});

describe('negotiation and transport', () => {
  it.each([
    ['', 'invalid protocol, expected one of ["v5.channel.k8s.io" "v4.channel.k8s.io"], got ""'],
    [
      'base64.channel.k8s.io',
      'invalid protocol, expected one of ["v5.channel.k8s.io" "v4.channel.k8s.io"], got "base64.channel.k8s.io"',
    ],
  ])('refuses the subprotocol %j and closes', async (protocol, message) => {
    const { socket, session } = start({ stdin: true, tty: true, initialSize: { width: 80, height: 24 } });
    session.writeStdin('x');
    socket.open(protocol);
    expect(socket.sent).toEqual([]);
    expect(socket.closeCalls).toHaveLength(1);
    socket.end(1000, '', true);
    expect(await session.ended).toMatchObject({ result: { kind: 'protocol-error', message }, dropped: false });
  });

  it('reports a refused upgrade as a drop that never opened', async () => {
    const { socket, session } = start();
    socket.fail();
    expect(await session.ended).toEqual({
      result: null,
      closeCode: 1006,
      closeReason: '',
      dropped: true,
      opened: false,
      hungUp: false,
    });
  });

  it('adopts a socket that is already open', () => {
    const socket = new FakeSocket();
    socket.open(V5);
    const session = new ExecSession(socket, {
      subresource: 'exec',
      stdin: true,
      tty: true,
      initialSize: { width: 80, height: 24 },
      keepaliveIntervalMs: 0,
    });
    expect(session.protocol).toBe(V5);
    expect(socket.sent.map(decode)).toEqual(['{"Width":80,"Height":24}\n']);
    expect(socket.binaryType).toBe('arraybuffer');
  });

  it('emits connected on the first frame and hands over raw bytes of split UTF-8 unchanged', () => {
    const { socket, session } = start();
    const events: string[] = [];
    const chunks: number[][] = [];
    session.on('connected', () => events.push('connected'));
    const off = session.on('stdout', (b) => chunks.push([...b]));
    socket.open(V5);
    socket.receive(hex('82 01 01'));
    socket.receive(hex('82 02 01 c3'));
    socket.receive(hex('82 02 01 a9'));
    off();
    socket.receive(hex('82 02 01 41'));
    expect(events).toEqual(['connected']);
    expect(chunks).toEqual([[0xc3], [0xa9]]);
  });

  it('decodes a status that spans two channel-3 messages (client-go reads the stream to its end)', async () => {
    const { socket, session } = start();
    socket.open(V5);
    socket.receive(new Uint8Array([0x82, 14, 3, ...new TextEncoder().encode('{"metadata":{')]));
    expect(session.result).toBeNull();
    socket.receive(new Uint8Array([0x82, 22, 3, ...new TextEncoder().encode('},"status":"Success"}')]));
    expect(session.result).toEqual({ kind: 'success' });
    socket.receive(hex('88 02 03 e8'));
    expect((await session.ended).result).toEqual({ kind: 'success' });
  });
});

describe('listeners', () => {
  it('a throwing listener does not stop the others, and the session still ends', async () => {
    const { socket, session } = start();
    const seen: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      session.on('end', () => {
        throw new Error('listener bug');
      });
      session.on('end', () => seen.push('second listener'));
      socket.open(V5);
      socket.receive(hex('88 02 03 e8'));
      expect(seen).toEqual(['second listener']);
      expect((await session.ended).result).toEqual({ kind: 'success' });
      await new Promise((r) => setTimeout(r, 0));
      expect(uncaught).toEqual([new Error('listener bug')]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
  });
});
