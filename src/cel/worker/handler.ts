// What the worker does with one message: run the request through the same entry point as `porthole cel`.

import { runCelRequest } from '../run.ts';
import type { CelWorkerRequest, CelWorkerResponse } from './protocol.ts';

export function handleCelWorkerMessage(message: CelWorkerRequest): CelWorkerResponse {
  try {
    return { id: message.id, response: runCelRequest(message.request) };
  } catch (e) {
    // A bug must not kill the worker silently: report it as this request's error.
    return { id: message.id, response: { error: `internal error: ${(e as Error).message}` } };
  }
}
