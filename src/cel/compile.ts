// compile(): parse, check and validate an expression; evaluate(): run a compiled program with a cost limit.

import type { ParsedExpr } from './ast.ts';
import { check } from './checker.ts';
import type { CallContext, Overload } from './decls.ts';
import type { Environment } from './env.ts';
import { COST_LIMIT_MESSAGE, CostLimitExceeded, Interpreter, type EvalState } from './interpreter.ts';
import { ParseError, parse } from './parser.ts';
import { validateLiterals } from './validators.ts';
import { validateFormatCalls } from './format-validator.ts';
import { sameType, typeString, type CelType } from './types.ts';
import { EvalError, type Value } from './values.ts';

/** One compile-time issue, positioned for editor markers and rendered as cel-go renders it. */
export interface CelIssue {
  message: string;
  /** 1-based line. */
  line: number;
  /** 1-based column in code points, as in cel-go's `<input>:LINE:COLUMN`. */
  column: number;
  /** 0-based offset in code points into the expression. */
  offset: number;
}

export interface Program {
  readonly expression: string;
  readonly env: Environment;
  readonly type: CelType;
  /** @internal */
  readonly parsed: ParsedExpr;
  /** @internal */
  readonly overloads: ReadonlyMap<number, readonly Overload[]>;
}

export type CompileResult =
  | { ok: true; program: Program; type: CelType; typeName: string }
  | {
      ok: false;
      issues: CelIssue[];
      /**
       * The text kube-apiserver shows after `compilation failed: ` (cel-go's issue display:
       * `ERROR: <input>:1:1: msg` + the source line and a caret), or a result-type message.
       */
      message: string;
      /** True when the expression compiled but its type is not allowed here (`must evaluate to bool`). */
      resultTypeError?: boolean;
    };

export interface CompileOptions {
  /** Evaluate even when type checking reports issues (conformance tests with `disable_check`). */
  skipCheckErrors?: boolean;
}

export function compile(expression: string, env: Environment, options: CompileOptions = {}): CompileResult {
  let parsed: ParsedExpr;
  try {
    parsed = parse(expression, { macros: env.macros, optionalSyntax: env.optionalSyntax });
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    const issue = position(expression, e.offset, e.message);
    return { ok: false, issues: [issue], message: display(expression, [issue]) };
  }
  let checked: ReturnType<typeof check>;
  try {
    checked = check(parsed, env);
  } catch (e) {
    // A pathological expression (thousands of chained selections) must not take the caller down.
    if (!(e instanceof RangeError)) throw e;
    const issue = position(expression, 0, `expression recursion limit exceeded: ${e.message}`);
    return { ok: false, issues: [issue], message: display(expression, [issue]) };
  }
  if (options.skipCheckErrors) checked.issues.length = 0;
  const issues = checked.issues.map((i) => position(expression, parsed.source.positions.get(i.exprId) ?? 0, i.message));
  const validations = [...validateLiterals(parsed, env)];
  if (env.overloads.has('format') && env.literalValidators)
    validations.push(...validateFormatCalls(parsed, checked.types));
  for (const v of validations) {
    issues.push(position(expression, parsed.source.positions.get(v.exprId) ?? 0, v.message));
  }
  if (issues.length) {
    issues.sort((a, b) => a.offset - b.offset);
    return { ok: false, issues, message: display(expression, issues) };
  }
  const rule = env.resultType;
  if (rule && !rule.allowed.some((t) => sameType(t, checked.type))) {
    const want =
      rule.allowed.length === 1 ? typeString(rule.allowed[0]!) : `one of [${rule.allowed.map(typeString).join(' ')}]`;
    const message =
      rule.style === 'authn'
        ? `must evaluate to ${want}`
        : `must evaluate to ${want} but got ${typeString(checked.type)}`;
    return { ok: false, issues: [], message, resultTypeError: true };
  }
  const program: Program = { expression, env, type: checked.type, parsed, overloads: checked.overloads };
  return { ok: true, program, type: checked.type, typeName: typeString(checked.type) };
}

export interface EvaluateOptions {
  /** Per-call cost limit; Kubernetes' PerCallLimit is 1,000,000. */
  costLimit?: number;
  /** The authorizer for `authorizer.*` checks (authz library). */
  authorizer?: CallContext['authorizer'];
  /** @internal shared state when evaluating composited variables inside another evaluation. */
  state?: EvalState;
}

export type EvalResult =
  { ok: true; value: Value; cost: number } | { ok: false; error: string; cost: number; costExceeded?: boolean };

export const PER_CALL_LIMIT = 1_000_000;

export function evaluate(
  program: Program,
  activation: Readonly<Record<string, Value>>,
  options: EvaluateOptions = {},
): EvalResult {
  const ctx: CallContext = {};
  if (options.authorizer !== undefined) ctx.authorizer = options.authorizer;
  const state: EvalState = options.state ?? { cost: 0, limit: options.costLimit ?? PER_CALL_LIMIT, ctx };
  const start = state.cost;
  const interp = new Interpreter(program.env, program.overloads, state);
  try {
    const value = interp.eval(program.parsed.expr, [], new Map(Object.entries(activation)));
    return { ok: true, value, cost: state.cost - start };
  } catch (e) {
    if (e instanceof CostLimitExceeded)
      return { ok: false, error: COST_LIMIT_MESSAGE, cost: state.cost - start, costExceeded: true };
    if (e instanceof EvalError) return { ok: false, error: e.message, cost: state.cost - start };
    if (e instanceof RangeError)
      return { ok: false, error: `evaluation failed: ${e.message}`, cost: state.cost - start };
    throw e;
  }
}

function position(text: string, offset: number, message: string): CelIssue {
  const cps = Array.from(text);
  let line = 1;
  let col = 0;
  for (let i = 0; i < offset && i < cps.length; i++) {
    if (cps[i] === '\n') {
      line++;
      col = 0;
    } else col++;
  }
  return { message, line, column: col + 1, offset };
}

/** cel-go's issue display: header, the source line (tabs as spaces) and a caret under the column. */
export function display(text: string, issues: CelIssue[]): string {
  const lines = text.split('\n');
  return issues
    .map((i) => {
      const src = (lines[i.line - 1] ?? '').replace(/\t/g, ' ');
      return `ERROR: <input>:${i.line}:${i.column}: ${i.message}\n | ${src}\n | ${'.'.repeat(i.column - 1)}^`;
    })
    .join('\n');
}
