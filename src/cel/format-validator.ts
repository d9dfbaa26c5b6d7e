// cel-go's compile-time check of `'<literal>'.format([<literal list>])` (ext strings v2): the clauses of a literal
// format string are parsed, matched against the number of list elements, and `%d` against integer elements.

import { visit, type Expr, type ParsedExpr } from './ast.ts';
import type { CheckIssue } from './checker.ts';
import { typeString, type CelType } from './types.ts';

interface Clause {
  verb: string;
}

/** Parses a format string into its clauses; returns an error text for a malformed one. */
function clauses(format: string): Clause[] | string {
  const out: Clause[] = [];
  const cps = Array.from(format);
  for (let i = 0; i < cps.length; i++) {
    if (cps[i] !== '%') continue;
    i++;
    if (i >= cps.length) return 'unexpected end of string';
    if (cps[i] === '%') continue;
    if (cps[i] === '.') {
      i++;
      while (i < cps.length && /[0-9]/.test(cps[i]!)) i++;
      if (i >= cps.length) return 'unexpected end of string';
    }
    const verb = cps[i]!;
    if (!'sdfebxXo'.includes(verb))
      return `could not parse formatting clause: unrecognized formatting clause "${verb}"`;
    out.push({ verb });
  }
  return out;
}

export function validateFormatCalls(parsed: ParsedExpr, types: ReadonlyMap<number, CelType>): CheckIssue[] {
  const issues: CheckIssue[] = [];
  visit(parsed.expr, (e: Expr) => {
    if (e.kind !== 'call' || e.fn !== 'format' || !e.target || e.args.length !== 1) return;
    const fmt = e.target;
    const list = e.args[0]!;
    if (fmt.kind !== 'const' || fmt.value.kind !== 'string' || list.kind !== 'list') return;
    const parsedClauses = clauses(fmt.value.value);
    if (typeof parsedClauses === 'string') {
      issues.push({ exprId: e.id, message: parsedClauses });
      return;
    }
    if (list.elements.length > parsedClauses.length) {
      issues.push({
        exprId: e.id,
        message: `too many arguments supplied to string.format (expected ${parsedClauses.length}, got ${list.elements.length})`,
      });
      return;
    }
    parsedClauses.forEach((c, i) => {
      const el = list.elements[i];
      if (!el) {
        if (i === list.elements.length) issues.push({ exprId: e.id, message: `index ${i} out of range` });
        return;
      }
      const t = types.get(el.id);
      if (c.verb === 'd' && t && !['int', 'uint', 'dyn'].includes(typeString(t))) {
        issues.push({
          exprId: el.id,
          message: `error during formatting: decimal clause can only be used on integers, was given ${typeString(t)}`,
        });
      }
      if ((c.verb === 'f' || c.verb === 'e') && t && !['double', 'dyn'].includes(typeString(t))) {
        const clause = c.verb === 'f' ? 'fixed-point' : 'scientific';
        issues.push({
          exprId: el.id,
          message: `error during formatting: ${clause} clause can only be used on doubles, was given ${typeString(t)}`,
        });
      }
    });
  });
  return issues;
}
