// Browser Web Worker entry: `new Worker(new URL('./cel.worker.ts', import.meta.url), { type: 'module' })`.

import { handleCelWorkerMessage } from './handler.ts';
import type { CelWorkerRequest, CelWorkerResponse } from './protocol.ts';

interface WorkerScope {
  onmessage: ((event: { data: CelWorkerRequest }) => void) | null;
  postMessage(message: CelWorkerResponse): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (event) => scope.postMessage(handleCelWorkerMessage(event.data));
