// YAML documents as the playground reads them: positions kept (for markers), integers as bigint (int64 stays
// exact), aliases capped (a "billion laughs" document is an error, not a frozen tab), errors as diagnostics.

import { parseDocument, type Document } from 'yaml';
import type { Diagnostic } from '../evaluation.ts';
import { rangeOf } from './positions.ts';

export const MAX_ALIAS_COUNT = 100;

export interface ParsedYaml {
  doc: Document.Parsed;
  /** The plain value (`undefined` for an empty document), or undefined when there were errors. */
  value: unknown;
  ok: boolean;
  diagnostics: Diagnostic[];
}

export function parseYaml(docName: string, text: string): ParsedYaml {
  const doc = parseDocument(text, { intAsBigInt: true, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  for (const error of doc.errors) {
    const [from, to] = error.pos;
    diagnostics.push({
      doc: docName,
      severity: 'error',
      message: `YAML: ${error.message.split('\n')[0]}`,
      range: rangeOf(text, from, Math.max(to, from + 1)),
    });
  }
  if (diagnostics.length) return { doc, value: undefined, ok: false, diagnostics };
  try {
    return { doc, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), ok: true, diagnostics };
  } catch (e) {
    diagnostics.push({
      doc: docName,
      severity: 'error',
      message: `YAML: ${(e as Error).message}`,
      range: rangeOf(text, 0, Math.min(text.length, 1)),
    });
    return { doc, value: undefined, ok: false, diagnostics };
  }
}
