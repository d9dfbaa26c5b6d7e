// YAML documents as the playground reads them: positions kept (for markers), integers as bigint (int64 stays
// exact), aliases capped (a "billion laughs" document is an error, not a frozen tab), errors as diagnostics.

import { parseAllDocuments, parseDocument, type Document } from 'yaml';
import type { Diagnostic } from '../evaluation.ts';
import { rangeOf } from './positions.ts';

export const MAX_ALIAS_COUNT = 100;

const OPTIONS = { intAsBigInt: true, prettyErrors: false, uniqueKeys: true } as const;

export interface ParsedYaml {
  doc: Document.Parsed;
  /** The plain value (`undefined` for an empty document), or undefined when there were errors. */
  value: unknown;
  ok: boolean;
  diagnostics: Diagnostic[];
}

export function parseYaml(docName: string, text: string): ParsedYaml {
  return read(docName, text, parseDocument(text, OPTIONS));
}

/**
 * A stream of `---`-separated documents (several policies in one editor, as `kubectl apply -f` takes them).
 * Empty documents (a leading `---`, comments only) are left out; positions stay offsets in the whole text.
 */
export function parseYamlStream(docName: string, text: string): ParsedYaml[] {
  const docs = parseAllDocuments(text, OPTIONS);
  return (Array.isArray(docs) ? docs : [])
    .map((doc) => read(docName, text, doc))
    .filter((d) => !d.ok || d.doc.contents !== null);
}

function read(docName: string, text: string, doc: Document.Parsed): ParsedYaml {
  const diagnostics: Diagnostic[] = doc.errors.map((error) => ({
    doc: docName,
    severity: 'error',
    message: `YAML: ${error.message.split('\n')[0]}`,
    range: rangeOf(text, error.pos[0], Math.max(error.pos[1], error.pos[0] + 1)),
  }));
  if (diagnostics.length) return { doc, value: undefined, ok: false, diagnostics };
  try {
    return { doc, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), ok: true, diagnostics };
  } catch (e) {
    const from = doc.range[0];
    diagnostics.push({
      doc: docName,
      severity: 'error',
      message: `YAML: ${(e as Error).message}`,
      range: rangeOf(text, from, Math.min(text.length, from + 1)),
    });
    return { doc, value: undefined, ok: false, diagnostics };
  }
}
