// Diagnostics at offsets of an editor's text: the small constructors every page's evaluator uses.

import type { Diagnostic } from './evaluation.ts';
import { rangeOf } from './yaml/positions.ts';

export function diag(
  doc: string,
  text: string,
  severity: Diagnostic['severity'],
  message: string,
  from: number,
  to: number,
): Diagnostic {
  return { doc, severity, message, range: rangeOf(text, from, Math.max(to, from + 1)) };
}

/** A diagnostic on the first line: for what is about the whole text. */
export function firstLine(doc: string, text: string, severity: Diagnostic['severity'], message: string): Diagnostic {
  const end = text.indexOf('\n');
  return diag(doc, text, severity, message, 0, Math.max(1, end < 0 ? text.length : end));
}

/** YAML's bigints (kept so int64 stays exact while parsing) as the JSON numbers the evaluators take. */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  return v;
}
