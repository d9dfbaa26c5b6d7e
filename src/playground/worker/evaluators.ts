// Each page's pure evaluator, by page.

import { evaluateAdmissionPage } from '../admission/evaluate.ts';
import { evaluateAuthnPage } from '../authn/evaluate.ts';
import { evaluateCelPage } from '../cel/evaluate.ts';
import type { Diagnostic, PlaygroundRequest } from '../evaluation.ts';
import type { PlaygroundPage } from '../state.ts';

export interface PageOutcome {
  result: unknown;
  diagnostics: Diagnostic[];
}

/** Pure, except that verifying a JWT's signature is asynchronous (WebCrypto), so an evaluator may return a promise. */
export type PageEvaluator = (request: PlaygroundRequest) => PageOutcome | Promise<PageOutcome>;

export const PAGE_EVALUATORS: Record<PlaygroundPage, PageEvaluator> = {
  cel: evaluateCelPage,
  authn: evaluateAuthnPage,
  admission: evaluateAdmissionPage,
};
