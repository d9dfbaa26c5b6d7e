// What the playground worker does with one message: run the page's evaluator and time it.

import type { WorkerRequest, WorkerResponse } from '../../cel/worker/protocol.ts';
import type { PageEvaluation, PlaygroundRequest } from '../evaluation.ts';
import { PAGE_EVALUATORS } from './evaluators.ts';

export type PlaygroundResponse = PageEvaluation | { failure: string; timedOut?: boolean };

export async function handlePlaygroundMessage(
  message: WorkerRequest<PlaygroundRequest>,
): Promise<WorkerResponse<PlaygroundResponse>> {
  const started = performance.now();
  // The page comes from our own frame, but a message is still data: an unknown page is a failure, not a crash.
  const evaluator = Object.hasOwn(PAGE_EVALUATORS, message.request.page)
    ? PAGE_EVALUATORS[message.request.page]
    : undefined;
  if (!evaluator)
    return { id: message.id, response: { failure: `there is no playground page "${message.request.page}"` } };
  try {
    const { result, diagnostics } = await evaluator(message.request);
    return { id: message.id, response: { result, diagnostics, elapsedMs: performance.now() - started } };
  } catch (e) {
    // A bug must not kill the worker silently: report it as this request's failure.
    return { id: message.id, response: { failure: `internal error: ${(e as Error).message}` } };
  }
}
