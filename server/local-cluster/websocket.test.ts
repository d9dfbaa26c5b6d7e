// Server-level tests of the local cluster's exec/attach WebSocket, byte for byte against the golden transcripts of
// exec-protocol.md (G1, G2, G10) and the rules of its §1.6, §2, §4.1, §5 and §10.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Opcode } from '../../src/k8s/frames.ts';
import { startLocalCluster, type LocalCluster } from './index.ts';
import { fromHex, hex, RawWebSocket } from './testing/raw-websocket.ts';

const PODS = fileURLToPath(new URL('./testing/test-pods.yaml', import.meta.url));
let cluster: LocalCluster;
let legacyCluster: LocalCluster;
const logs: string[] = [];

beforeAll(async () => {
  cluster = await startLocalCluster({ podsFile: PODS, log: (l) => logs.push(l) });
  legacyCluster = await startLocalCluster({ podsFile: PODS, log: (l) => logs.push(l), streamingMode: 'legacy' });
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  await legacyCluster?.close();
});

const q = (params: Array<[string, string]>) => params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
const execPath = (
  pod: string,
  command: string[],
  extra: Array<[string, string]> = [
    ['stderr', 'true'],
    ['stdout', 'true'],
  ],
  container = 'main',
) =>
  `/api/v1/namespaces/default/pods/${pod}/exec?${q([...command.map((c): [string, string] => ['command', c]), ['container', container], ...extra])}`;

const SUCCESS = '{"metadata":{},"status":"Success"}';

describe('handshake', () => {
  it('answers with the byte-exact 101 of x/net (G1 key and accept value)', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath('shell', ['echo', 'hello']),
      key: 'o9TS9NDSZ/uMQmO4Kae83A==',
    });
    expect(ws.head).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: rkd5C24UAfVLJgraOzbh1DCgGtg=\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n',
    );
    await ws.untilEnded();
  });

  it('ignores offered extensions', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath('shell', ['true']),
      headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' },
    });
    expect(ws.status).toBe(101);
    expect(ws.head).not.toMatch(/Extensions/i);
    await ws.untilEnded();
  });

  it.each([
    ['POST instead of GET', { method: 'POST' }, 'HTTP/1.1 405 Method Not Allowed\r\n\r\n', 'bad method'],
    [
      'WebSocket version 8',
      { headers: { 'Sec-WebSocket-Version': '8' } },
      'HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\n',
      'missing or bad WebSocket Version',
    ],
    [
      'no key',
      { headers: { 'Sec-WebSocket-Key': null } },
      'HTTP/1.1 400 Bad Request\r\n\r\n',
      'mismatch challenge/response',
    ],
  ] as const)('refuses a handshake with %s like x/net', async (_name, change, head, body) => {
    const ws = await RawWebSocket.open(cluster, { path: execPath('shell', ['true']), ...change });
    await ws.untilEnded();
    expect(ws.head).toBe(head);
    expect(ws.body).toBe(body);
  });
});

describe('pre-upgrade errors are Status responses', () => {
  it.each([
    [
      'unknown pod',
      execPath('nope', ['true']),
      404,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404}\n',
    ],
    [
      'no container on a multi-container pod',
      '/api/v1/namespaces/default/pods/multi/exec?command=true&stdout=true',
      400,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"a container name must be specified for pod multi, choose one of: [init app sidecar]","reason":"BadRequest","code":400}\n',
    ],
    [
      'unknown container',
      execPath('multi', ['true'], [['stdout', 'true']], 'wrong'),
      400,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"container wrong is not valid for pod multi","reason":"BadRequest","code":400}\n',
    ],
  ])('%s', async (_name, path, code, body) => {
    const ws = await RawWebSocket.open(cluster, { path });
    await ws.untilEnded();
    expect(ws.status).toBe(code);
    // The apiserver's header set and order (it keeps the connection open; we close it, see status.ts).
    expect(ws.head.split('\r\n').map((line) => line.split(':')[0])).toEqual([
      ws.head.split('\r\n')[0],
      'Audit-Id',
      'Cache-Control',
      'Content-Type',
      'Date',
      'Content-Length',
      'Connection',
      '',
      '',
    ]);
    expect(ws.body).toBe(body);
  });

  it('refuses the SPDY fallback with a clear Status', async () => {
    const ws = await RawWebSocket.open(cluster, {
      method: 'POST',
      path: execPath('shell', ['true']),
      protocols: null,
      headers: {
        Upgrade: 'SPDY/3.1',
        'X-Stream-Protocol-Version': 'v4.channel.k8s.io',
        'Sec-WebSocket-Key': null,
        'Sec-WebSocket-Version': null,
      },
    });
    await ws.untilEnded();
    expect(ws.status).toBe(403);
    expect(JSON.parse(ws.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect(JSON.parse(ws.body).message).toMatch(
      /^SPDY is not supported by the Porthole local cluster: exec needs a WebSocket client/,
    );
  });
});

describe('golden transcripts (v5 via the apiserver translator)', () => {
  it('G1: echo hello → initial frame, stdout, Success, close 1000, TCP close', async () => {
    const ws = await RawWebSocket.open(cluster, { path: execPath('shell', ['echo', 'hello']) });
    await ws.untilEnded();
    expect(hex(ws.received)).toBe(
      hex(
        Buffer.concat([
          fromHex('82 01 01'),
          fromHex('82 07 01'),
          Buffer.from('hello\n'),
          fromHex('82 23 03'),
          Buffer.from(SUCCESS),
          fromHex('88 02 03 e8'),
        ]),
      ),
    );
  });

  it('G2: stderr then NonZeroExitCode with the doubled prefix, 212 bytes', async () => {
    const ws = await RawWebSocket.open(cluster, { path: execPath('shell', ['sh', '-c', 'echo oops >&2; exit 3']) });
    await ws.untilEnded();
    const status =
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command terminated with exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}';
    expect(status.length).toBe(212);
    expect(hex(ws.received)).toBe(
      hex(
        Buffer.concat([
          fromHex('82 01 01 82 06 02'),
          Buffer.from('oops\n'),
          fromHex('82 7e 00 d5 03'),
          Buffer.from(status),
          fromHex('88 02 03 e8'),
        ]),
      ),
    );
  });

  it('an executable that does not exist → InternalError wrapped twice, as the translator reports runc', async () => {
    const ws = await RawWebSocket.open(cluster, { path: execPath('shell', ['bashx']) });
    await ws.untilEnded();
    const status = JSON.parse(ws.channel(3).toString());
    expect(status).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500 });
    expect(status.message).toMatch(
      /^Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "bashx": executable file not found in \$PATH: unknown$/,
    );
    expect(status.details.causes[0].message).toBe(status.message.slice('Internal error occurred: '.length));
  });

  it('a container that is not running → InternalError "unable to upgrade connection" (G6)', async () => {
    const ws = await RawWebSocket.open(cluster, { path: execPath('multi', ['true'], [['stdout', 'true']], 'init') });
    await ws.untilEnded();
    expect(ws.channel(3).toString()).toBe(
      '{"metadata":{},"status":"Failure","message":"Internal error occurred: unable to upgrade connection: container not found (\\"init\\")","reason":"InternalError","details":{"causes":[{"message":"unable to upgrade connection: container not found (\\"init\\")"}]},"code":500}',
    );
  });

  it('initial frame goes to the lowest writable channel: stderr when stdout is off, the error channel when both are', async () => {
    const onlyStderr = await RawWebSocket.open(cluster, { path: execPath('shell', ['true'], [['stderr', 'true']]) });
    const noOutput = await RawWebSocket.open(cluster, { path: execPath('shell', ['true'], [['stdin', 'true']]) });
    await onlyStderr.untilEnded();
    await noOutput.untilEnded();
    expect(hex(onlyStderr.received.subarray(0, 3))).toBe('82 01 02');
    expect(hex(noOutput.received.subarray(0, 3))).toBe('82 01 03');
  });
});

describe('legacy protocols (CRI streaming server)', () => {
  it('G10: v4.channel.k8s.io names the command in the exit-code message', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath('shell', ['sh', '-c', 'exit 3']),
      protocols: 'v4.channel.k8s.io',
    });
    await ws.untilEnded();
    const status =
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}';
    expect(hex(ws.received)).toBe(
      hex(Buffer.concat([fromHex('82 01 01 82 7e 00 e5 03'), Buffer.from(status), fromHex('88 02 03 e8')])),
    );
  });

  it('G10: base64.channel.k8s.io sends text frames and no status on success', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath('shell', ['echo', 'hello']),
      protocols: 'base64.channel.k8s.io',
    });
    await ws.untilEnded();
    expect(hex(ws.received)).toBe(
      hex(Buffer.concat([fromHex('81 01 31 81 09'), Buffer.from('1aGVsbG8K'), fromHex('88 02 03 e8')])),
    );
  });

  it('G10: base64.channel.k8s.io reports failure as base64 text on channel 3', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath('shell', ['sh', '-c', 'exit 3']),
      protocols: 'base64.channel.k8s.io',
    });
    await ws.untilEnded();
    const text = ws.frames.filter((f) => f.opcode === Opcode.Text).map((f) => Buffer.from(f.payload).toString());
    expect(text).toEqual([
      '1',
      `3${Buffer.from('command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3').toString('base64')}`,
    ]);
  });

  it('v4.base64.channel.k8s.io carries the v4 JSON status base64-encoded', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath('shell', ['true']),
      protocols: 'v4.base64.channel.k8s.io',
    });
    await ws.untilEnded();
    const text = ws.frames.filter((f) => f.opcode === Opcode.Text).map((f) => Buffer.from(f.payload).toString());
    expect(text).toEqual(['1', `3${Buffer.from(SUCCESS).toString('base64')}`]);
  });

  it('base64 stdin is decoded; invalid base64 is dropped', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath(
        'shell',
        ['sh', '-c', 'read a; echo "[$a]"'],
        [
          ['stdin', 'true'],
          ['stdout', 'true'],
        ],
      ),
      protocols: 'base64.channel.k8s.io',
    });
    ws.send('0!!not base64!!', Opcode.Text);
    ws.send(`0${Buffer.from('ok\n').toString('base64')}`, Opcode.Text);
    await ws.untilEnded();
    const text = ws.frames.filter((f) => f.opcode === Opcode.Text).map((f) => Buffer.from(f.payload).toString());
    expect(text).toEqual(['1', `1${Buffer.from('[ok]\n').toString('base64')}`]);
  });
});

describe('negotiation (exec-protocol §5)', () => {
  const apiserver = [
    ['v5.channel.k8s.io', 'v5.channel.k8s.io'],
    ['v5.channel.k8s.io, v4.channel.k8s.io', 'v5.channel.k8s.io'],
    ['v4.channel.k8s.io, v5.channel.k8s.io', 'v5.channel.k8s.io'],
    ['v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io', 'v4.channel.k8s.io'],
    ['base64.channel.k8s.io', 'base64.channel.k8s.io'],
    ['base64.channel.k8s.io, v5.channel.k8s.io', 'v5.channel.k8s.io'],
    ['v3.channel.k8s.io,channel.k8s.io', 'channel.k8s.io'],
    [null, ''],
    ['foo, bar', 403],
  ] as const;
  const legacy = [
    ['v5.channel.k8s.io', 403],
    ['v5.channel.k8s.io, v4.channel.k8s.io', 'v4.channel.k8s.io'],
    ['v4.channel.k8s.io, v5.channel.k8s.io', 'v4.channel.k8s.io'],
    ['base64.channel.k8s.io, v5.channel.k8s.io', 'base64.channel.k8s.io'],
    [null, ''],
  ] as const;

  async function negotiate(target: LocalCluster, offer: string | null) {
    const ws = await RawWebSocket.open(target, { path: execPath('shell', ['true']), protocols: offer });
    await ws.untilEnded();
    return ws;
  }

  it.each(apiserver)('apiserver mode: %s → %s', async (offer, expected) => {
    const ws = await negotiate(cluster, offer);
    if (expected === 403) {
      expect(ws.head).toBe('HTTP/1.1 403 Forbidden\r\n\r\n');
      expect(ws.body).toBe('');
    } else {
      expect(ws.status).toBe(101);
      expect(ws.head).toContain(`\r\nSec-WebSocket-Protocol: ${expected}\r\n\r\n`);
    }
  });

  it.each(legacy)('legacy mode: %s → %s', async (offer, expected) => {
    const ws = await negotiate(legacyCluster, offer);
    if (expected === 403) expect(ws.head).toBe('HTTP/1.1 403 Forbidden\r\n\r\n');
    else expect(ws.head).toContain(`\r\nSec-WebSocket-Protocol: ${expected}\r\n\r\n`);
  });

  it('v1 semantics (no protocol): success sends no status at all', async () => {
    const ws = await negotiate(cluster, null);
    expect(hex(ws.received)).toBe('82 01 01 88 02 03 e8');
  });
});

describe('bearer token subprotocol (exec-protocol §4.1)', () => {
  const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');
  const unauthorized =
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}\n';

  it('accepts the token, strips it and negotiates with the rest', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath('shell', ['echo', 'hi']),
      protocols: `v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.${b64url(cluster.token)}`,
      headers: { Authorization: null },
    });
    expect(ws.status).toBe(101);
    expect(ws.head).toContain('\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n');
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('hi\n');
  });

  it.each([
    ['a wrong token', () => `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${b64url('wrong')}`],
    ['padding', () => `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${b64url('ab')}=`],
    [
      'standard base64 characters',
      () =>
        `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${Buffer.from(cluster.token + '\u00ff\u00fe')
          .toString('base64')
          .replace(/=+$/, '')}+/`,
    ],
    [
      'a token that is not UTF-8',
      () => `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${b64url(Buffer.from([0xff, 0xfe, 0xfd]))}`,
    ],
    [
      'two token protocols',
      () =>
        `v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.${b64url(cluster.token)}, base64url.bearer.authorization.k8s.io.${b64url(cluster.token)}`,
    ],
    ['no other protocol', () => `base64url.bearer.authorization.k8s.io.${b64url(cluster.token)}`],
    ['no credential at all', () => 'v5.channel.k8s.io'],
  ])('answers 401 for %s', async (_name, offer) => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath('shell', ['true']),
      protocols: offer(),
      headers: { Authorization: null },
    });
    await ws.untilEnded();
    expect(ws.status).toBe(401);
    expect(ws.body).toBe(unauthorized);
  });
});

describe('receiving (strict, as x/net and wsstream)', () => {
  const catPath = execPath(
    'shell',
    ['cat'],
    [
      ['stderr', 'true'],
      ['stdin', 'true'],
      ['stdout', 'true'],
    ],
  );

  it('G3: stdin then the v5 CLOSE signal → output, then Success', async () => {
    const ws = await RawWebSocket.open(cluster, { path: catPath });
    ws.send(Buffer.from('\x00hi\nthere\n', 'latin1'));
    ws.send(fromHex('ff 00'));
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('hi\nthere\n');
    expect(ws.channel(3).toString()).toBe(SUCCESS);
    expect(hex(ws.received.subarray(-4))).toBe('88 02 03 e8');
  });

  it.each([
    ['3 bytes', 'ff 00 00'],
    ['1 byte', 'ff'],
    ['a channel ≥ 5', 'ff 07'],
  ])(
    'a CLOSE signal of %s ends the whole connection (close 1000, no status) and hangs the process up',
    async (_name, bytes) => {
      const ws = await RawWebSocket.open(cluster, { path: catPath });
      ws.send(fromHex(bytes));
      await ws.untilEnded();
      expect(hex(ws.received)).toBe('82 01 01 88 02 03 e8');
      await expect.poll(() => cluster.processes().filter((p) => p.kind === 'exec'), { timeout: 5000 }).toEqual([]);
    },
  );

  it('drops messages for channels ≥ 5, empty messages and stdin after CLOSE; the session goes on', async () => {
    const ws = await RawWebSocket.open(cluster, { path: catPath });
    ws.send(Buffer.from('\x07ignored', 'latin1'));
    ws.send(Buffer.alloc(0));
    ws.send(Buffer.from('\x00kept\n', 'latin1'));
    ws.send(fromHex('ff 00'));
    ws.send(Buffer.from('\x00after close\n', 'latin1'));
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('kept\n');
    expect(ws.channel(3).toString()).toBe(SUCCESS);
  });

  it('treats a continuation frame as a message of its own (no reassembly)', async () => {
    const ws = await RawWebSocket.open(cluster, { path: catPath });
    // A fragmented "\x00ab" + "\x00cd": the continuation's first byte is read as a channel byte (0 = stdin).
    ws.socket.write(Buffer.from(encodeMasked(Opcode.Binary, Buffer.from('\x00ab', 'latin1'), false)));
    ws.socket.write(Buffer.from(encodeMasked(Opcode.Continuation, Buffer.from('\x00cd\n', 'latin1'), true)));
    ws.send(fromHex('ff 00'));
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('abcd\n');
  });

  it('counts fragmented frames, so client tests can assert they never fragment', async () => {
    const before = cluster.streams().reduce((sum, st) => sum + st.fragmentedFrames, 0);
    const ws = await RawWebSocket.open(cluster, { path: catPath });
    ws.socket.write(Buffer.from(encodeMasked(Opcode.Binary, Buffer.from('\x00a', 'latin1'), false)));
    ws.socket.write(Buffer.from(encodeMasked(Opcode.Continuation, Buffer.from('\x00b', 'latin1'), true)));
    ws.send(fromHex('ff 00'));
    await ws.untilEnded();
    expect(cluster.streams().reduce((sum, st) => sum + st.fragmentedFrames, 0) - before).toBe(2);
  });

  it('accepts text frames as data', async () => {
    const ws = await RawWebSocket.open(cluster, { path: catPath });
    ws.send('\x00text\n', Opcode.Text);
    ws.send(fromHex('ff 00'));
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('text\n');
  });

  it('answers a ping with a pong echoing the payload', async () => {
    const ws = await RawWebSocket.open(cluster, { path: catPath });
    ws.send('abc', Opcode.Ping);
    await ws.until((w) => w.received.includes(fromHex('8a 03 61 62 63')), 'the pong');
    ws.send(fromHex('ff 00'));
    await ws.untilEnded();
  });

  it('answers any client close code with close 1000 and closes TCP', async () => {
    const ws = await RawWebSocket.open(cluster, { path: catPath });
    ws.send(fromHex('03 e9'), Opcode.Close); // 1001 going away
    await ws.untilEnded();
    expect(hex(ws.received)).toBe('82 01 01 88 02 03 e8');
  });

  it('closes with 1002 on an unmasked client frame', async () => {
    const ws = await RawWebSocket.open(cluster, { path: catPath });
    ws.send(Buffer.from('\x00x', 'latin1'), Opcode.Binary, null);
    await ws.untilEnded();
    expect(hex(ws.received)).toBe('82 01 01 88 02 03 ea');
  });

  it('decodes resize as a stream: split across messages, case-insensitive keys', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: execPath(
        'shell',
        ['sh', '-c', 'read go; stty size'],
        [
          ['stdin', 'true'],
          ['stdout', 'true'],
          ['tty', 'true'],
        ],
      ),
    });
    ws.send(Buffer.from('\x04{"width":9', 'latin1'));
    ws.send(Buffer.from('\x040,"HEIGHT":33}\n{"Width":', 'latin1'));
    ws.send(Buffer.from('\x0491,"Height":34}', 'latin1'));
    // No wait needed: messages are handled in order and a resize is applied synchronously.
    ws.send(Buffer.from('\x00\r', 'latin1'));
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toContain('34 91\r\n');
    expect(ws.channel(3).toString()).toBe(SUCCESS);
  });
});

describe('optional test-server modes (exec-protocol §10.3)', () => {
  let modes: LocalCluster;
  beforeAll(async () => {
    modes = await startLocalCluster({
      podsFile: PODS,
      log: () => {},
      faithfulResizeStall: true,
      streamPingIntervalSeconds: 0.2,
    });
  }, 60_000);
  afterAll(async () => {
    await modes?.close();
  });
  const catPath = execPath(
    'shell',
    ['cat'],
    [
      ['stdin', 'true'],
      ['stdout', 'true'],
    ],
  );

  it('faithful stall: a second resize on a non-TTY session freezes the receive loop (no stdin, no pong)', async () => {
    const ws = await RawWebSocket.open(modes, { path: catPath });
    ws.send(Buffer.from('\x00before\n', 'latin1'));
    await ws.until((w) => w.channel(1).toString() === 'before\n', 'the echo before the stall');
    ws.send(Buffer.from('\x04{"Width":80,"Height":24}', 'latin1'));
    ws.send(Buffer.from('\x04{"Width":81,"Height":24}', 'latin1'));
    ws.send(Buffer.from('\x00after\n', 'latin1'));
    ws.send('xyz', Opcode.Ping);
    await expect.poll(() => modes.streams().some((st) => st.open && st.stalled), { timeout: 5000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ws.channel(1).toString()).toBe('before\n');
    expect(ws.received.includes(fromHex('8a 03 78 79 7a'))).toBe(false);
    ws.close();
    await expect.poll(() => modes.processes().filter((p) => p.kind === 'exec'), { timeout: 5000 }).toEqual([]);
  });

  it('server pings when asked to', async () => {
    const ws = await RawWebSocket.open(modes, { path: execPath('shell', ['sleep', '1']) });
    await ws.untilEnded();
    expect(ws.frames.filter((f) => f.opcode === Opcode.Ping).length).toBeGreaterThanOrEqual(2);
  });
});

describe('lenient receive and proxy idle cut (exec-protocol §10.3 items 13, 18)', () => {
  let lenient: LocalCluster;
  beforeAll(async () => {
    lenient = await startLocalCluster({
      podsFile: PODS,
      log: () => {},
      reassembleFragments: true,
      proxyIdleTimeoutSeconds: 1,
    });
  }, 60_000);
  afterAll(async () => {
    await lenient?.close();
  });

  it('reassembles a fragmented message (strict mode reads "\\x00ab" + "\\x00cd" as two)', async () => {
    const ws = await RawWebSocket.open(lenient, {
      path: execPath(
        'shell',
        ['cat'],
        [
          ['stdin', 'true'],
          ['stdout', 'true'],
        ],
      ),
    });
    ws.socket.write(Buffer.from(encodeMasked(Opcode.Binary, Buffer.from('\x00ab', 'latin1'), false)));
    ws.socket.write(Buffer.from(encodeMasked(Opcode.Continuation, Buffer.from('\x00cd\n', 'latin1'), true)));
    ws.send(fromHex('ff 00'));
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('ab\x00cd\n');
  });

  it('cuts an idle connection without a close frame and hangs the process up', async () => {
    const ws = await RawWebSocket.open(lenient, { path: execPath('shell', ['sleep', '1000'], [['stdout', 'true']]) });
    await ws.untilEnded(10_000);
    expect(hex(ws.received)).toBe('82 01 01');
    await expect.poll(() => lenient.processes().filter((p) => p.kind === 'exec'), { timeout: 5000 }).toEqual([]);
  });
});

describe('fault injection (exec-protocol §10.4 item 24)', () => {
  let faulty: LocalCluster;
  beforeAll(async () => {
    faulty = await startLocalCluster({
      podsFile: PODS,
      log: () => {},
      streamFaults: { shell: 'status-without-close', once: 'no-pong' },
    });
  }, 60_000);
  afterAll(async () => {
    await faulty?.close();
  });

  it('status-without-close: the status arrives and the connection stays open until the client closes', async () => {
    const ws = await RawWebSocket.open(faulty, { path: execPath('shell', ['true']) });
    await ws.until((w) => w.channel(3).length > 0, 'the status');
    expect(ws.channel(3).toString()).toBe(SUCCESS);
    expect(ws.ended).toBe(false);
    ws.send(fromHex('03 e8'), Opcode.Close);
    await ws.untilEnded();
    expect(hex(ws.received.subarray(-4))).toBe('88 02 03 e8');
  });

  it('no-pong: pings go unanswered, data still flows', async () => {
    const ws = await RawWebSocket.open(faulty, {
      path: '/api/v1/namespaces/default/pods/once/attach?container=main&stdin=true&stdout=true',
    });
    ws.send('abc', Opcode.Ping);
    ws.send(Buffer.from('\x00x\n', 'latin1'));
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('got x\n');
    expect(ws.frames.some((f) => f.opcode === Opcode.Pong)).toBe(false);
  });
});

describe('attach', () => {
  it('streams the main process and reports only Success when it ends', async () => {
    const ws = await RawWebSocket.open(cluster, {
      path: '/api/v1/namespaces/default/pods/once/attach?container=main&stderr=true&stdin=true&stdout=true',
    });
    ws.send(Buffer.from('\x00ping\n', 'latin1'));
    await ws.untilEnded();
    expect(ws.channel(1).toString()).toBe('got ping\n');
    expect(ws.channel(3).toString()).toBe(SUCCESS);
  });
});

function encodeMasked(opcode: Opcode, payload: Buffer, fin: boolean): Uint8Array {
  const mask = Buffer.from([1, 2, 3, 4]);
  const header = Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!));
  return Buffer.concat([header, mask, masked]);
}

it('logs nothing alarming while refusing bad input', () => {
  expect(logs.filter((l) => /TypeError|ReferenceError|stack/.test(l))).toEqual([]);
  expect(readFileSync(PODS, 'utf8')).toContain('namespaces');
});
