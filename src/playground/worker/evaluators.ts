// Each page's pure evaluator, by page. A page whose evaluator has not landed yet has none here, and asking for
// it is an error that says so.

import { evaluateCelPage } from '../cel/evaluate.ts';
import type { Diagnostic, PlaygroundRequest } from '../evaluation.ts';
import type { PlaygroundPage } from '../state.ts';

export type PageEvaluator = (request: PlaygroundRequest) => { result: unknown; diagnostics: Diagnostic[] };

export const PAGE_EVALUATORS: Partial<Record<PlaygroundPage, PageEvaluator>> = {
  cel: evaluateCelPage,
};
