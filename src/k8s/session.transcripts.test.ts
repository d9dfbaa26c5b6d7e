// Replays the golden transcripts (testdata/transcripts.ts) through ExecSession byte for byte: the server frames
// go in as wire bytes, and what the session sends must equal kubectl's unmasked client payloads.
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameParser, Opcode } from './frames.ts';
import { ExecSession, type ExecSessionOptions } from './session.ts';
import { collectOutput } from './text.ts';
import { FakeSocket } from './testdata/fake-socket.ts';
import { channelPayload, G1, G10, G2, G3, G4, G5, G6, G9, hex, type WireFrame } from './testdata/transcripts.ts';
import type { ExecResult } from './types.ts';

const V5 = 'v5.channel.k8s.io';
const V4 = 'v4.channel.k8s.io';
const text = (s: string) => new TextEncoder().encode(s);

/** The unmasked payloads of the transcript's client data frames (close echoes are the WebSocket's, not ours). */
function clientPayloads(frames: WireFrame[]): Uint8Array[] {
  return frames
    .filter((f) => f.dir === 'C→S')
    .flatMap((f) => new FrameParser({ requireMask: true }).push(hex(f.hex)))
    .filter((f) => f.opcode === Opcode.Binary)
    .map((f) => f.payload);
}

function start(options: Partial<ExecSessionOptions> = {}) {
  const socket = new FakeSocket();
  const session = new ExecSession(socket, {
    subresource: 'exec',
    stdin: false,
    tty: false,
    keepaliveIntervalMs: 0,
    ...options,
  });
  const output = collectOutput(session);
  return { socket, session, output };
}

function serverSends(socket: FakeSocket, frames: WireFrame[], upTo?: number) {
  for (const frame of frames.slice(0, upTo).filter((f) => f.dir === 'S→C')) socket.receive(hex(frame.hex));
}

describe('golden transcripts (exec-protocol.md §9)', () => {
  it('G1: non-TTY exec prints hello and ends in success, sending nothing', async () => {
    const { socket, output } = start();
    socket.open(V5);
    serverSends(socket, G1);
    const { stdout, stderr, end } = await output;
    expect({ stdout, stderr }).toEqual({ stdout: 'hello\n', stderr: '' });
    expect(end).toEqual({
      result: { kind: 'success' },
      closeCode: 1000,
      closeReason: '',
      dropped: false,
      opened: true,
      hungUp: false,
    });
    expect(socket.sent).toEqual(clientPayloads(G1));
    expect(socket.sent).toEqual([]);
  });

  it('G2: stderr "oops" and exit code 3 from the doubled-prefix v5 status', async () => {
    const { socket, output } = start();
    socket.open(V5);
    serverSends(socket, G2);
    const { stdout, stderr, end } = await output;
    expect({ stdout, stderr }).toEqual({ stdout: '', stderr: 'oops\n' });
    expect(end.result).toEqual({ kind: 'exit', exitCode: 3, message: 'command terminated with exit code 3' });
    expect(end.dropped).toBe(false);
  });

  it('G3: piped stdin then exactly FF 00, echo read back, success', async () => {
    const { socket, session, output } = start({ stdin: true });
    socket.open(V5);
    socket.receive(hex(G3[0]!.hex));
    expect(session.writeStdin('hi\nthere\n')).toBe(true);
    socket.receive(hex(G3[2]!.hex));
    expect(session.closeStdin()).toBe(true);
    expect(session.closeStdin()).toBe(false); // a second CLOSE is never sent
    serverSends(socket, G3.slice(3));
    const { stdout, end } = await output;
    expect(socket.sent).toEqual(clientPayloads(G3));
    expect(socket.sent.at(-1)).toEqual(hex('ff 00'));
    expect(stdout).toBe('hi\nthere\n');
    expect(end.result).toEqual({ kind: 'success' });
  });

  it('G4: TTY exec sends the 100×30 resize in the same tick as open, then keys, a resize and exit', async () => {
    const { socket, session, output } = start({ stdin: true, tty: true, initialSize: { width: 100, height: 30 } });
    socket.open(V5);
    const expected = clientPayloads(G4);
    expect(socket.sent).toEqual(expected.slice(0, 1)); // before any server frame arrived
    socket.receive(hex(G4[0]!.hex));
    session.writeStdin('ls\r');
    session.resize({ width: 120, height: 40 });
    session.writeStdin('\x03');
    session.writeStdin('é');
    session.writeStdin('exit\r');
    serverSends(socket, G4.slice(1));
    const { end } = await output;
    expect(socket.sent).toEqual(expected);
    expect(end.result).toEqual({ kind: 'success' });
    // No CLOSE signal in an interactive TTY session.
    expect(socket.sent.some((m) => m[0] === 0xff)).toBe(false);
  });

  it('G5: attach sends size+1 then the size, then input', () => {
    const { socket, session } = start({
      subresource: 'attach',
      stdin: true,
      tty: true,
      initialSize: { width: 100, height: 30 },
    });
    socket.open(V5);
    serverSends(socket, G5.server);
    session.writeStdin('abc');
    expect(socket.sent).toEqual(G5.clientPayloads.map(channelPayload));
    // The frame headers kept in the notes agree with these payload lengths.
    for (const [i, prefix] of G5.clientFramePrefixes.entries()) {
      expect(hex(prefix)[1]! & 0x7f).toBe(socket.sent[i]!.length);
    }
  });

  it('G5: a later resize of an attach is sent once, without the +1', () => {
    const { socket, session } = start({ subresource: 'attach', stdin: true, tty: true });
    socket.open(V5);
    session.resize({ width: 80, height: 24 });
    session.resize({ width: 90, height: 24 });
    expect(socket.sent.map((m) => new TextDecoder().decode(m.subarray(1)))).toEqual([
      '{"Width":81,"Height":25}\n',
      '{"Width":80,"Height":24}\n',
      '{"Width":90,"Height":24}\n',
    ]);
  });

  it('G6: a post-upgrade InternalError keeps its reason, message and code', async () => {
    const frame = encodeFrame(Opcode.Binary, new Uint8Array([3, ...text(G6.status)]));
    expect(frame.subarray(0, 4)).toEqual(hex(G6.header));
    const { socket, output } = start({ stdin: true, tty: true });
    socket.open(V5);
    socket.receive(hex('82 01 01'));
    socket.receive(frame);
    socket.receive(hex('88 02 03 e8'));
    const { end } = await output;
    expect(end.result).toEqual({
      kind: 'failure',
      reason: 'InternalError',
      message: 'Internal error occurred: unable to upgrade connection: container not found ("main")',
      code: 500,
    });
    expect('error: ' + (end.result as { message: string }).message).toBe(G6.kubectlSays);
  });

  it('G9: the session’s messages, masked with 37 fa 21 3d, are the G9 frames', () => {
    const { socket, session } = start({ stdin: true, tty: true, initialSize: { width: 100, height: 30 } });
    socket.open(V5);
    session.writeStdin('ls\r');
    const mask = hex(G9.mask);
    const masked = socket.sent.map((m) => encodeFrame(Opcode.Binary, m, { mask }));
    expect(masked).toEqual([hex(G9.resize100x30), hex(G9.stdinLs)]);
    const cat = start({ stdin: true });
    cat.socket.open(V5);
    cat.session.closeStdin();
    expect(encodeFrame(Opcode.Binary, cat.socket.sent[0]!, { mask })).toEqual(hex(G9.closeStdin));
  });

  it('G10: the legacy v4 path reads the CRI exit-code status, and cannot close stdin', async () => {
    const frame = encodeFrame(Opcode.Binary, new Uint8Array([3, ...text(G10.status)]));
    expect(frame.subarray(0, 4)).toEqual(hex(G10.header));
    const { socket, session, output } = start({ stdin: true });
    socket.open(V4);
    expect(session.protocol).toBe(V4);
    expect(session.canCloseStdin).toBe(false);
    expect(session.closeStdin()).toBe(false);
    socket.receive(hex('82 01 01'));
    socket.receive(frame);
    socket.receive(hex('88 02 03 e8'));
    const { end } = await output;
    expect(socket.sent).toEqual([]);
    expect(end.result).toEqual({ kind: 'exit', exitCode: 3, message: 'command terminated with exit code 3' });
  });
});

// G7: kubectl's reaction to server behaviours, and the session's verdict for each.
describe('G7 matrix: how the session ends', () => {
  const status = (json: string) => encodeFrame(Opcode.Binary, new Uint8Array([3, ...text(json)]));
  const exitStatus = (code: string) =>
    status(
      `{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command terminated with exit code ${code}","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"${code}"}]}}`,
    );
  const close = (code: number, reason = '') =>
    encodeFrame(Opcode.Close, new Uint8Array([code >> 8, code & 0xff, ...text(reason)]));
  const hello = hex('82 07 01 68 65 6c 6c 6f 0a');
  const success = hex(G1[2]!.hex);

  type Row = {
    name: string;
    wire: Uint8Array[];
    /** How the transport ends when the wire has no close frame: a TCP drop. */
    drop?: boolean;
    result: ExecResult | null;
    dropped: boolean;
    closeCode: number;
    stdout?: string;
  };
  const rows: Row[] = [
    {
      name: 'status Success + close 1000',
      wire: [hello, success, close(1000)],
      result: { kind: 'success' },
      dropped: false,
      closeCode: 1000,
      stdout: 'hello\n',
    },
    {
      name: 'NonZeroExitCode "3"',
      wire: [exitStatus('3'), close(1000)],
      result: { kind: 'exit', exitCode: 3, message: 'command terminated with exit code 3' },
      dropped: false,
      closeCode: 1000,
    },
    {
      name: 'NonZeroExitCode "255"',
      wire: [exitStatus('255'), close(1000)],
      result: { kind: 'exit', exitCode: 255, message: 'command terminated with exit code 255' },
      dropped: false,
      closeCode: 1000,
    },
    {
      name: 'NonZeroExitCode "256"',
      wire: [exitStatus('256'), close(1000)],
      result: { kind: 'protocol-error', message: 'error stream protocol error: invalid exit code value "256"' },
      dropped: false,
      closeCode: 1000,
    },
    {
      name: 'Failure, reason InternalError',
      wire: [
        status('{"metadata":{},"status":"Failure","message":"boom","reason":"InternalError","code":500}'),
        close(1000),
      ],
      result: { kind: 'failure', reason: 'InternalError', message: 'boom', code: 500 },
      dropped: false,
      closeCode: 1000,
    },
    {
      name: 'channel 3 = "this is not json"',
      wire: [status('this is not json'), close(1000)],
      result: {
        kind: 'protocol-error',
        message:
          "error stream protocol error: invalid character 'h' in literal true (expecting 'r') in \"this is not json\"",
      },
      dropped: false,
      closeCode: 1000,
    },
    {
      name: 'no status, close 1000',
      wire: [hello, close(1000)],
      result: { kind: 'success' },
      dropped: false,
      closeCode: 1000,
      stdout: 'hello\n',
    },
    {
      name: 'close 1000 with reason text',
      wire: [close(1000, 'bye')],
      result: { kind: 'success' },
      dropped: false,
      closeCode: 1000,
    },
    {
      name: 'TCP close without close frame',
      wire: [hello],
      drop: true,
      result: null,
      dropped: true,
      closeCode: 1006,
      stdout: 'hello\n',
    },
    { name: 'close 1011', wire: [close(1011)], result: null, dropped: true, closeCode: 1011 },
    {
      name: 'any text frame',
      wire: [encodeFrame(Opcode.Text, text('\x01hi')), close(1000)],
      result: {
        kind: 'protocol-error',
        message: 'error reading from error stream: unexpected message type: 1',
      },
      dropped: false,
      closeCode: 1000,
    },
    {
      name: 'zero-length binary message',
      wire: [encodeFrame(Opcode.Binary, new Uint8Array(0)), close(1000)],
      result: { kind: 'protocol-error', message: 'error reading from error stream: read stream id: EOF' },
      dropped: false,
      closeCode: 1000,
    },
    {
      name: 'frames on channels 7 / 255 are ignored',
      wire: [hex('82 03 07 61 62'), hex('82 02 ff 00'), hello, success, close(1000)],
      result: { kind: 'success' },
      dropped: false,
      closeCode: 1000,
      stdout: 'hello\n',
    },
    {
      name: '1 MiB single frame delivered intact',
      wire: [encodeFrame(Opcode.Binary, new Uint8Array([1, ...new Uint8Array(1 << 20).fill(0x61)])), close(1000)],
      result: { kind: 'success' },
      dropped: false,
      closeCode: 1000,
      stdout: 'a'.repeat(1 << 20),
    },
  ];

  it.each(rows)('$name', async (row) => {
    const { socket, output } = start();
    socket.open(V5);
    socket.receive(hex('82 01 01'));
    for (const wire of row.wire) socket.receive(wire);
    if (row.drop) socket.end(1006);
    // A protocol error makes the client close; the server answers 1000 (and the socket then closes).
    if (socket.readyState !== 3) socket.end(1000, '', true);
    const { stdout, end } = await output;
    expect(end.result).toEqual(row.result);
    expect(end.dropped).toBe(row.dropped);
    expect(end.closeCode).toBe(row.closeCode);
    expect(stdout).toBe(row.stdout ?? '');
  });

  it('status then a late close: the status is reported at once, and the end is normal', async () => {
    const { socket, session, output } = start();
    const statuses: ExecResult[] = [];
    session.on('status', (r) => statuses.push(r));
    socket.open(V5);
    socket.receive(exitStatus('3'));
    expect(statuses).toEqual([{ kind: 'exit', exitCode: 3, message: 'command terminated with exit code 3' }]);
    expect(session.result).toEqual(statuses[0]);
    socket.end(1006); // even an abrupt close after the status does not turn an exit into a drop
    const { end } = await output;
    expect(end).toMatchObject({ result: statuses[0], dropped: false, closeCode: 1006 });
  });

  it('a protocol error closes the socket with 1000 and ignores what follows', async () => {
    const { socket, output } = start();
    socket.open(V5);
    socket.receive(encodeFrame(Opcode.Text, text('hi')));
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: undefined }]);
    socket.receive(hello);
    socket.end(1000, '', true);
    expect((await output).stdout).toBe('');
  });
});
