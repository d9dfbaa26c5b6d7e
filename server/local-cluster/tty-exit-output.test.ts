// A TTY process that exits while its output is still held back (the WebSocket was not writable) must have all of
// its output delivered before the status, as a kubelet does: the bytes the process wrote are the bytes that
// arrive. node-pty tears its pty down 200 ms after the child exits, paused or not, so this guards against losing
// the tail of the output in that window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectExec } from '../exec-client.ts';
import { startLocalCluster, type LocalCluster } from './index.ts';

let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await startLocalCluster({ log: () => {} });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe('TTY exec output at exit', () => {
  // base64 of 1.5 MiB of zeros: 2,097,152 characters in 27,595 lines of at most 76, each ended by the pty's \r\n.
  const expectedBytes = 2_097_152 + 2 * 27_595;

  it.each([1, 2, 3])('delivers every byte before the status (run %i)', async () => {
    const session = await connectExec({
      server: cluster.server,
      caData: cluster.caData,
      token: cluster.token,
      namespace: 'default',
      pod: 'shell',
      subresource: 'exec',
      exec: {
        command: ['/bin/sh', '-c', 'head -c 1572864 /dev/zero | base64'],
        container: 'main',
        stdin: false,
        stdout: true,
        stderr: false,
        tty: true,
      },
      keepaliveIntervalMs: 0,
    });
    let received = 0;
    session.on('stdout', (bytes) => (received += bytes.length));
    const end = await session.ended;
    expect(end.result).toEqual({ kind: 'success' });
    expect(received).toBe(expectedBytes);
  });
});
