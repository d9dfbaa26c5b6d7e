import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameError, FrameParser, Opcode } from './frames.ts';

const hex = (s: string) => Uint8Array.from(s.split(/\s+/).filter(Boolean), (b) => parseInt(b, 16));
const text = (s: string) => new TextEncoder().encode(s);
const mask = hex('37 fa 21 3d');

// exec-protocol.md §9 G9: deterministic masked frames with mask key 37 fa 21 3d.
describe('frames (G9 vectors)', () => {
  it.each([
    [
      'resize 100x30',
      Opcode.Binary,
      new Uint8Array([4, ...text('{"Width":100,"Height":30}\n')]),
      '82 9b 37 fa 21 3d 33 81 03 6a 5e 9e 55 55 15 c0 10 0d 07 d6 03 75 52 93 46 55 43 d8 1b 0e 07 87 2b',
    ],
    ['stdin "ls\\r"', Opcode.Binary, new Uint8Array([0, ...text('ls\r')]), '82 84 37 fa 21 3d 37 96 52 30'],
    ['CLOSE stdin', Opcode.Binary, hex('ff 00'), '82 82 37 fa 21 3d c8 fa'],
    ['close 1000', Opcode.Close, hex('03 e8'), '88 82 37 fa 21 3d 34 12'],
    ['ping (empty)', Opcode.Ping, new Uint8Array(0), '89 80 37 fa 21 3d'],
  ])('%s encodes byte for byte and parses back', (_name, opcode, payload, wire) => {
    expect(encodeFrame(opcode, payload, { mask })).toEqual(hex(wire));
    const [frame] = new FrameParser({ requireMask: true }).push(hex(wire));
    expect(frame).toEqual({ fin: true, opcode, masked: true, payload });
  });

  it('server pong is 8a 00', () => {
    expect(encodeFrame(Opcode.Pong, new Uint8Array(0))).toEqual(hex('8a 00'));
  });
});

describe('FrameParser', () => {
  it('handles frames split across reads and coalesced in one read', () => {
    const a = encodeFrame(Opcode.Binary, text('\x01hello'));
    const b = encodeFrame(Opcode.Binary, new Uint8Array(70_000).fill(7));
    const wire = new Uint8Array([...a, ...b]);
    const parser = new FrameParser();
    const frames = [
      ...parser.push(wire.subarray(0, 1)),
      ...parser.push(wire.subarray(1, 9)),
      ...parser.push(wire.subarray(9)),
    ];
    expect(frames.map((f) => f.payload.length)).toEqual([6, 70_000]);
  });

  it('uses the 64-bit length form above 65535 bytes', () => {
    const frame = encodeFrame(Opcode.Binary, new Uint8Array(65_536));
    expect([...frame.subarray(0, 10)]).toEqual([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it('hands continuation frames up one by one, as x/net does', () => {
    const wire = new Uint8Array([
      ...encodeFrame(Opcode.Binary, text('\x00ab'), { fin: false, mask }),
      ...encodeFrame(Opcode.Continuation, text('cd'), { mask }),
    ]);
    const frames = new FrameParser().push(wire);
    expect(frames.map((f) => [f.fin, f.opcode])).toEqual([
      [false, Opcode.Binary],
      [true, Opcode.Continuation],
    ]);
  });

  it('refuses unmasked client frames with 1002 and oversized frames with 1009', () => {
    expect(() => new FrameParser({ requireMask: true }).push(hex('82 01 01'))).toThrow(FrameError);
    try {
      new FrameParser({ maxPayload: 10 }).push(hex('82 0b'));
      expect.unreachable();
    } catch (e) {
      expect((e as FrameError).closeCode).toBe(1009);
    }
  });
});
