// Browser Web Worker entry for the playground's evaluations (bundled by Vite with `?worker`).

import type { WorkerRequest, WorkerResponse } from '../../cel/worker/protocol.ts';
import type { PlaygroundRequest } from '../evaluation.ts';
import { handlePlaygroundMessage, type PlaygroundResponse } from './handler.ts';

interface WorkerScope {
  onmessage: ((event: { data: WorkerRequest<PlaygroundRequest> }) => void) | null;
  postMessage(message: WorkerResponse<PlaygroundResponse>): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (event) => void handlePlaygroundMessage(event.data).then((reply) => scope.postMessage(reply));
