// Diagnostics for a Kubernetes field path in a YAML text: on the field's value (or the nearest part of the path
// that exists), and for a CEL expression with compiler issues, on each issue's character inside the YAML string.

import type { Document } from 'yaml';
import type { CelIssue } from '../../cel/index.ts';
import { diag } from '../diagnostics.ts';
import type { Diagnostic } from '../evaluation.ts';
import { locateField } from './field-positions.ts';
import { utf16IndexOf } from './positions.ts';
import { scalarOffsets } from './scalar-positions.ts';

export function fieldDiagnostics(
  docName: string,
  text: string,
  doc: Document.Parsed,
  field: string,
  severity: Diagnostic['severity'],
  message: string,
  issues: readonly CelIssue[] = [],
): Diagnostic[] {
  const at = doc.errors.length ? undefined : locateField(doc, field);
  if (!at) return [];
  const scalar = at.scalar;
  const offsets = scalar ? scalarOffsets(text, scalar) : undefined;
  if (issues.length && scalar && offsets && typeof scalar.value === 'string') {
    const value = scalar.value;
    return issues.map((issue) => {
      const k = offsets[utf16IndexOf(value, issue.offset)] ?? at.from;
      return diag(docName, text, severity, `${issue.message} (${field})`, k, k + 1);
    });
  }
  return [diag(docName, text, severity, message, at.from, at.to)];
}
