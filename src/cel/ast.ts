// The CEL abstract syntax tree, shaped like cel-go's `cel.expr.Expr` (ids, the same node kinds, macros expanded
// into comprehensions) but as plain TypeScript objects so the checker and the interpreter can walk it cheaply.

export type Constant =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: bigint }
  | { kind: 'uint'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'bytes'; value: Uint8Array };

export type Expr =
  | { id: number; kind: 'const'; value: Constant }
  | { id: number; kind: 'ident'; name: string }
  /** `operand.field`; testOnly marks the `has(operand.field)` macro. */
  | { id: number; kind: 'select'; operand: Expr; field: string; testOnly: boolean }
  /** Function call, global (`f(x)`) or receiver-style (`x.f()`, target set). Operators are calls (`_+_`). */
  | { id: number; kind: 'call'; fn: string; target?: Expr; args: Expr[] }
  | { id: number; kind: 'list'; elements: Expr[]; optionalIndices: number[] }
  | { id: number; kind: 'map'; entries: MapEntry[] }
  | { id: number; kind: 'struct'; typeName: string; fields: FieldInit[] }
  | Comprehension;

export interface MapEntry {
  id: number;
  key: Expr;
  value: Expr;
  optional: boolean;
}

export interface FieldInit {
  id: number;
  field: string;
  value: Expr;
  optional: boolean;
}

export interface Comprehension {
  id: number;
  kind: 'comprehension';
  iterRange: Expr;
  iterVar: string;
  /** Second variable of a two-variable comprehension (index/key), empty otherwise. */
  iterVar2: string;
  accuVar: string;
  accuInit: Expr;
  loopCondition: Expr;
  loopStep: Expr;
  result: Expr;
  /** The macro that produced this node, for error messages and cost. */
  macro: string;
}

/** Source positions: expression id → offset (in code points) of the token that starts it. */
export interface SourceInfo {
  text: string;
  positions: Map<number, number>;
}

export interface ParsedExpr {
  expr: Expr;
  source: SourceInfo;
}

/** Walks every node of an expression depth-first, parents before children. */
export function visit(expr: Expr, fn: (e: Expr) => void): void {
  fn(expr);
  switch (expr.kind) {
    case 'select':
      visit(expr.operand, fn);
      break;
    case 'call':
      if (expr.target) visit(expr.target, fn);
      for (const a of expr.args) visit(a, fn);
      break;
    case 'list':
      for (const e of expr.elements) visit(e, fn);
      break;
    case 'map':
      for (const e of expr.entries) {
        visit(e.key, fn);
        visit(e.value, fn);
      }
      break;
    case 'struct':
      for (const f of expr.fields) visit(f.value, fn);
      break;
    case 'comprehension':
      visit(expr.iterRange, fn);
      visit(expr.accuInit, fn);
      visit(expr.loopCondition, fn);
      visit(expr.loopStep, fn);
      visit(expr.result, fn);
      break;
    default:
      break;
  }
}
