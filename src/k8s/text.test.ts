// Text decoding of output: one streaming decoder per channel (exec-protocol.md §2.7, split UTF-8).
import { describe, expect, it } from 'vitest';
import { ExecSession } from './session.ts';
import { isExecutableNotFound, SHELL_DISCOVERY_COMMAND } from './shell.ts';
import { collectOutput, decodeOutput } from './text.ts';
import { FakeSocket } from './testdata/fake-socket.ts';
import { hex } from './testdata/transcripts.ts';

function session() {
  const socket = new FakeSocket();
  const s = new ExecSession(socket, { subresource: 'exec', stdin: false, tty: false, keepaliveIntervalMs: 0 });
  socket.open('v5.channel.k8s.io');
  return { socket, session: s };
}

describe('decodeOutput', () => {
  it.each([
    ['é split c3 | a9', ['82 02 01 c3', '82 02 01 a9'], 'é'],
    ['€ split e2 82 | ac', ['82 03 01 e2 82', '82 02 01 ac'], '€'],
    ['€ split e2 | 82 ac', ['82 02 01 e2', '82 03 01 82 ac'], '€'],
  ])('reassembles %s', async (_name, frames, expected) => {
    const { socket, session: s } = session();
    const chunks: string[] = [];
    decodeOutput(s, { stdout: (t) => chunks.push(t) });
    for (const f of frames) socket.receive(hex(f));
    socket.receive(hex('88 02 03 e8'));
    await s.ended;
    expect(chunks.join('')).toBe(expected);
    expect(chunks.join('')).not.toContain('\ufffd');
  });

  it('keeps one decoder per channel: a split on stdout is not disturbed by stderr in between', async () => {
    const { socket, session: s } = session();
    const out = collectOutput(s);
    socket.receive(hex('82 02 01 c3'));
    socket.receive(hex('82 02 02 e2'));
    socket.receive(hex('82 02 01 a9'));
    socket.receive(hex('82 03 02 82 ac'));
    socket.receive(hex('88 02 03 e8'));
    expect(await out).toMatchObject({ stdout: 'é', stderr: '€' });
  });

  it('flushes an incomplete sequence at the end as U+FFFD rather than losing it', async () => {
    const { socket, session: s } = session();
    const out = collectOutput(s);
    socket.receive(hex('82 02 01 c3'));
    socket.end(1006);
    expect((await out).stdout).toBe('\ufffd');
  });
});

describe('shell discovery', () => {
  it('is one /bin/sh command that prefers bash', () => {
    expect(SHELL_DISCOVERY_COMMAND).toEqual([
      '/bin/sh',
      '-c',
      'command -v bash >/dev/null 2>&1 && exec bash || exec sh',
    ]);
  });

  it.each([
    [
      'runc, bare name',
      'Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "x": OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH: unknown',
      true,
    ],
    [
      'runc, absolute path',
      'Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "x": OCI runtime exec failed: exec failed: unable to start container process: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown',
      true,
    ],
    [
      'container not found',
      'Internal error occurred: unable to upgrade connection: container not found ("main")',
      false,
    ],
  ])('recognizes %s: %#', (_name, message, expected) => {
    expect(isExecutableNotFound({ kind: 'failure', reason: 'InternalError', message, code: 500 })).toBe(expected);
  });

  it('does not take an exit code or another reason for a missing executable', () => {
    expect(
      isExecutableNotFound({ kind: 'exit', exitCode: 127, message: 'command terminated with exit code 127' }),
    ).toBe(false);
    expect(isExecutableNotFound({ kind: 'failure', reason: 'BadRequest', message: 'executable file not found' })).toBe(
      false,
    );
    expect(isExecutableNotFound(null)).toBe(false);
  });
});
