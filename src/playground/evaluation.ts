// What a page evaluation gives back to the frame: the page's own result, and diagnostics the editors show as
// markers. The same shape for every page, so the worker, the result panel and the markers are shared.

import type { SourceRange } from './yaml/positions.ts';
import type { PlaygroundState } from './state.ts';

export interface Diagnostic {
  /** The editor (document name) the marker belongs in. */
  doc: string;
  message: string;
  severity: 'error' | 'warning' | 'info';
  range: SourceRange;
}

export interface PageEvaluation<Result = unknown> {
  result: Result;
  diagnostics: Diagnostic[];
  /** Milliseconds spent in the evaluator (parse + compile + evaluate), measured in the worker. */
  elapsedMs: number;
}

export type PlaygroundRequest = Pick<PlaygroundState, 'page' | 'version' | 'docs' | 'options'>;
