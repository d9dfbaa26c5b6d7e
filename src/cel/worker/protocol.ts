// Messages between the page and the CEL worker. Requests carry an id so late answers of a stopped evaluation
// are never mistaken for the answer to a newer request.

import type { CelRequest, CelResponse } from '../run.ts';

export interface CelWorkerRequest {
  id: number;
  request: CelRequest;
}

export interface CelWorkerResponse {
  id: number;
  response: CelResponse;
}

/** The subset of the DOM Worker (and of a worker_threads adapter) the client uses. */
export interface WorkerLike {
  postMessage(message: CelWorkerRequest): void;
  terminate(): void;
  onmessage: ((event: { data: CelWorkerResponse }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
}
