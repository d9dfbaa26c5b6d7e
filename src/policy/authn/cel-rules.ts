// Compiling the CEL parts of a JWT authenticator with src/cel: claim rules and mappings see `claims`, user rules
// see `user`; validation rules must be bool. Also the static "uses claims.X" walk of the email_verified rule.

import { authnEnvironment, compile, T, type CelIssue, type Program } from '../../cel/index.ts';
import type { Expr } from '../../cel/ast.ts';

export type CelUse = 'claims' | 'user';

export type Compiled =
  { ok: true; program: Program } | { ok: false; detail: string; issues: CelIssue[]; resultTypeError: boolean };

const envCache = new Map<string, ReturnType<typeof authnEnvironment>>();

function env(version: string, use: CelUse, bool: boolean) {
  const key = `${version}/${use}/${bool}`;
  let e = envCache.get(key);
  if (!e) {
    e = authnEnvironment({ version, use, ...(bool ? { resultType: [T.bool] } : {}) });
    envCache.set(key, e);
  }
  return e;
}

export function compileRule(expression: string, version: string, use: CelUse, bool: boolean): Compiled {
  const r = compile(expression, env(version, use, bool));
  if (r.ok) return { ok: true, program: r.program };
  return {
    ok: false,
    detail: r.resultTypeError ? r.message : `compilation failed: ${r.message}`,
    issues: r.issues,
    resultTypeError: r.resultTypeError === true,
  };
}

/** True when the checked AST selects `claims.<name>` or `claims.?<name>` anywhere (index syntax does not count). */
export function usesClaim(program: Program, name: string): boolean {
  let found = false;
  const walk = (e: Expr): void => {
    if (found) return;
    switch (e.kind) {
      case 'select':
        if (e.field === name && e.operand.kind === 'ident' && e.operand.name === 'claims') found = true;
        else walk(e.operand);
        return;
      case 'call':
        if (
          e.fn === '_?._' &&
          e.args.length === 2 &&
          e.args[0]!.kind === 'ident' &&
          e.args[0]!.name === 'claims' &&
          e.args[1]!.kind === 'const' &&
          e.args[1]!.value.kind === 'string' &&
          e.args[1]!.value.value === name
        )
          found = true;
        if (e.target) walk(e.target);
        e.args.forEach(walk);
        return;
      case 'list':
        e.elements.forEach(walk);
        return;
      case 'map':
        for (const m of e.entries) {
          walk(m.key);
          walk(m.value);
        }
        return;
      case 'struct':
        for (const f of e.fields) walk(f.value);
        return;
      case 'comprehension':
        [e.iterRange, e.accuInit, e.loopCondition, e.loopStep, e.result].forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(program.parsed.expr);
  return found;
}
