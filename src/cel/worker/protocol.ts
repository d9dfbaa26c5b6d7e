// Messages between the page and an evaluation worker. Requests carry an id so late answers of a stopped
// evaluation are never mistaken for the answer to a newer request.

import type { CelRequest, CelResponse } from '../run.ts';

export interface WorkerRequest<Req> {
  id: number;
  request: Req;
}

export interface WorkerResponse<Res> {
  id: number;
  response: Res;
}

export type CelWorkerRequest = WorkerRequest<CelRequest>;
export type CelWorkerResponse = WorkerResponse<CelResponse>;

/** The subset of the DOM Worker (and of a worker_threads adapter) the client uses. */
export interface WorkerLike<Req = CelRequest, Res = CelResponse> {
  postMessage(message: WorkerRequest<Req>): void;
  terminate(): void;
  onmessage: ((event: { data: WorkerResponse<Res> }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
}
