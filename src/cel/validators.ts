// cel-go's literal validators (Kubernetes 1.29+): constant arguments of duration(), timestamp() and matches() are
// checked at compile time and reported as `invalid <function> argument` at the literal.

import { visit, type Expr, type ParsedExpr } from './ast.ts';
import { callStd } from './bufbuild.ts';
import type { Environment } from './env.ts';
import { compileRegex } from './lib/std.ts';
import type { CheckIssue } from './checker.ts';

/** Kubernetes introduced the literal validators with 1.29. */
const VALIDATORS_SINCE = 29;

export function validateLiterals(parsed: ParsedExpr, env: Environment): CheckIssue[] {
  const effective = env.mode === 'new' ? env.version - 1 : env.version;
  if (effective < VALIDATORS_SINCE || !env.literalValidators) return [];
  const issues: CheckIssue[] = [];
  visit(parsed.expr, (e: Expr) => {
    if (e.kind !== 'call') return;
    const literal = (i: number) => {
      const a = e.args[i];
      return a && a.kind === 'const' && a.value.kind === 'string' ? { id: a.id, value: a.value.value } : undefined;
    };
    const check = (arg: { id: number; value: string } | undefined, run: (s: string) => unknown) => {
      if (!arg) return;
      try {
        run(arg.value);
      } catch {
        issues.push({ exprId: arg.id, message: `invalid ${e.fn} argument` });
      }
    };
    if (!e.target && (e.fn === 'duration' || e.fn === 'timestamp') && e.args.length === 1) {
      check(literal(0), (s) => callStd(e.fn, false, [s]));
    }
    if (e.fn === 'matches') check(literal(e.target ? 0 : 1), (s) => compileRegex(s));
  });
  return issues;
}
