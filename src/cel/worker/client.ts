// Runs requests in a worker with a wall-clock guard, the second line of defence after the cost limit: an
// evaluation that has not answered within the timeout is stopped by terminating the worker, the caller gets an
// error, and a fresh worker serves the next request. One request runs at a time; a newer request replaces a
// running one (the playground only cares about the latest keystroke).

import type { CelRequest, CelResponse } from '../run.ts';
import type { WorkerLike } from './protocol.ts';

export const DEFAULT_TIMEOUT_MS = 2000;

export interface GuardedWorkerClient<Req, Res> {
  evaluate(request: Req, options?: { timeoutMs?: number }): Promise<Res>;
  close(): void;
}

export type CelWorkerClient = GuardedWorkerClient<CelRequest, CelResponse & { timedOut?: boolean }>;

export function timeoutMessage(ms: number): string {
  return `evaluation stopped after ${ms} ms (wall-clock limit)`;
}

/** `failed(message, timedOut)` makes the answer given when the worker could not: stopped, superseded, crashed. */
export function createGuardedWorkerClient<Req, Res>(
  spawn: () => WorkerLike<Req, Res>,
  failed: (message: string, timedOut: boolean) => Res,
  defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
): GuardedWorkerClient<Req, Res> {
  let worker: WorkerLike<Req, Res> | undefined;
  let nextId = 1;
  let pending: { id: number; resolve: (r: Res) => void; timer: ReturnType<typeof setTimeout> } | undefined;

  const settle = (response: Res, stopWorker: boolean) => {
    if (!pending) return;
    clearTimeout(pending.timer);
    const p = pending;
    pending = undefined;
    if (stopWorker) {
      worker?.terminate();
      worker = undefined;
    }
    p.resolve(response);
  };

  const start = (): WorkerLike<Req, Res> => {
    const w = spawn();
    w.onmessage = (event) => {
      if (pending && event.data.id === pending.id) settle(event.data.response, false);
    };
    w.onerror = (event) => settle(failed(`worker failed: ${event.message ?? 'unknown error'}`, false), true);
    return w;
  };

  return {
    evaluate(request, options = {}) {
      const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
      // The previous evaluation is still running: stop it, its answer no longer matters.
      settle(failed('superseded by a newer evaluation', false), true);
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          if (pending?.id === id) settle(failed(timeoutMessage(timeoutMs), true), true);
        }, timeoutMs);
        pending = { id, resolve, timer };
        worker!.postMessage({ id, request });
      });
    },
    close() {
      settle(failed('worker closed', false), true);
      worker?.terminate();
      worker = undefined;
    },
  };
}

export function createCelWorkerClient(spawn: () => WorkerLike, defaultTimeoutMs = DEFAULT_TIMEOUT_MS): CelWorkerClient {
  return createGuardedWorkerClient<CelRequest, CelResponse & { timedOut?: boolean }>(
    spawn,
    (error, timedOut) => (timedOut ? { error, timedOut } : { error }),
    defaultTimeoutMs,
  );
}
