// The page's side of the playground worker: a guarded client (wall-clock limit, a newer edit supersedes a
// running evaluation) over a module Worker bundled by Vite.

import { createGuardedWorkerClient, type GuardedWorkerClient } from '../../cel/worker/client.ts';
import type { WorkerLike } from '../../cel/worker/protocol.ts';
import type { PlaygroundRequest } from '../evaluation.ts';
import type { PlaygroundResponse } from './handler.ts';
import PlaygroundWorker from './playground.worker.ts?worker';

export const EVALUATION_TIMEOUT_MS = 3000;

export type PlaygroundClient = GuardedWorkerClient<PlaygroundRequest, PlaygroundResponse>;

export function createPlaygroundClient(): PlaygroundClient {
  return createGuardedWorkerClient<PlaygroundRequest, PlaygroundResponse>(
    () => new PlaygroundWorker() as unknown as WorkerLike<PlaygroundRequest, PlaygroundResponse>,
    (failure, timedOut) => ({ failure, ...(timedOut ? { timedOut } : {}) }),
    EVALUATION_TIMEOUT_MS,
  );
}
