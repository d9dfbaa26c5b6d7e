// Test-only: runs the worker handler in a Node worker_threads thread, so the wall-clock guard can be tested
// with real preemption (terminate) under Vitest. The browser uses cel.worker.ts instead.

import { parentPort } from 'node:worker_threads';
import { handleCelWorkerMessage } from './handler.ts';
import type { CelWorkerRequest } from './protocol.ts';

parentPort!.on('message', (message: CelWorkerRequest) => parentPort!.postMessage(handleCelWorkerMessage(message)));
