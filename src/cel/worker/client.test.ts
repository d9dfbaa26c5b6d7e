// The worker's wall-clock guard: a deliberately endless expression (cost limit lifted) is stopped, and the next
// request is served by a fresh worker.

import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createCelWorkerClient, timeoutMessage, type CelWorkerClient } from './client.ts';
import type { CelWorkerResponse, WorkerLike } from './protocol.ts';

function spawnNodeWorker(): WorkerLike {
  // Node 20 workers ignore `--import tsx` in execArgv: register tsx's loader inside the thread, then load the entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./node-worker.testing.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const w = new Worker(boot, { eval: true });
  const like: WorkerLike = {
    postMessage: (m) => w.postMessage(m),
    terminate: () => void w.terminate(),
    onmessage: null,
    onerror: null,
  };
  w.on('message', (data: CelWorkerResponse) => like.onmessage?.({ data }));
  w.on('error', (e: Error) => like.onerror?.({ message: e.message }));
  return like;
}

let client: CelWorkerClient | undefined;
afterEach(() => client?.close());

describe('CEL worker client', () => {
  it('evaluates in the worker', async () => {
    client = createCelWorkerClient(spawnNodeWorker, 20_000);
    const r = await client.evaluate({ expression: "'a' + 'b'", env: 'mutation' });
    expect(r).toEqual({ value: 'ab', type: 'string', cost: 1 });
  });

  it('stops an endless expression at the wall-clock limit and recovers', async () => {
    client = createCelWorkerClient(spawnNodeWorker, 20_000);
    await client.evaluate({ expression: '1', env: 'mutation' }); // warm-up: the worker has loaded
    const started = Date.now();
    const endless = await client.evaluate(
      {
        expression: 'lists.range(100000).all(a, lists.range(100000).all(b, a + b >= 0))',
        env: 'mutation',
        costLimit: Number.MAX_SAFE_INTEGER,
      },
      { timeoutMs: 500 },
    );
    const took = Date.now() - started;
    expect(endless).toEqual({ error: timeoutMessage(500), timedOut: true });
    expect(took).toBeLessThan(5000);
    const after = await client.evaluate({ expression: '[1, 2].sum()', env: 'mutation' });
    expect(after).toEqual({ value: 3, type: 'int', cost: 2 });
  });
});
