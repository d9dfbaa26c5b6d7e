// Runs CEL requests in a worker with a wall-clock guard, the second line of defence after the cost limit: an
// evaluation that has not answered within the timeout is stopped by terminating the worker, the caller gets an
// error, and a fresh worker serves the next request. One request runs at a time; a newer request replaces a
// queued one (the playground only cares about the latest keystroke).

import type { CelRequest, CelResponse } from '../run.ts';
import type { CelWorkerResponse, WorkerLike } from './protocol.ts';

export const DEFAULT_TIMEOUT_MS = 2000;

export interface CelWorkerClient {
  evaluate(request: CelRequest, options?: { timeoutMs?: number }): Promise<CelResponse & { timedOut?: boolean }>;
  close(): void;
}

export function timeoutMessage(ms: number): string {
  return `evaluation stopped after ${ms} ms (wall-clock limit)`;
}

export function createCelWorkerClient(spawn: () => WorkerLike, defaultTimeoutMs = DEFAULT_TIMEOUT_MS): CelWorkerClient {
  let worker: WorkerLike | undefined;
  let nextId = 1;
  let pending:
    | { id: number; resolve: (r: CelResponse & { timedOut?: boolean }) => void; timer: ReturnType<typeof setTimeout> }
    | undefined;

  const start = (): WorkerLike => {
    const w = spawn();
    w.onmessage = (event: { data: CelWorkerResponse }) => {
      if (!pending || event.data.id !== pending.id) return;
      clearTimeout(pending.timer);
      const p = pending;
      pending = undefined;
      p.resolve(event.data.response);
    };
    w.onerror = (event) => {
      if (!pending) return;
      clearTimeout(pending.timer);
      const p = pending;
      pending = undefined;
      worker?.terminate();
      worker = undefined;
      p.resolve({ error: `worker failed: ${event.message ?? 'unknown error'}` });
    };
    return w;
  };

  return {
    evaluate(request, options = {}) {
      const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
      if (pending) {
        // The previous evaluation is still running: stop it, its answer no longer matters.
        clearTimeout(pending.timer);
        pending.resolve({ error: 'superseded by a newer evaluation' });
        pending = undefined;
        worker?.terminate();
        worker = undefined;
      }
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          if (!pending || pending.id !== id) return;
          pending = undefined;
          worker?.terminate();
          worker = undefined;
          resolve({ error: timeoutMessage(timeoutMs), timedOut: true });
        }, timeoutMs);
        pending = { id, resolve, timer };
        worker!.postMessage({ id, request });
      });
    },
    close() {
      if (pending) {
        clearTimeout(pending.timer);
        pending.resolve({ error: 'worker closed' });
        pending = undefined;
      }
      worker?.terminate();
      worker = undefined;
    },
  };
}
