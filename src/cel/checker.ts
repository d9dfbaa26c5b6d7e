// The static type checker: resolves identifiers, fields and overloads against an Environment and reports issues
// with cel-go's wording (`undeclared reference to 'x' (in container '')`, `undefined field 'f'`,
// `found no matching overload for '_+_' applied to '(int, string)'`, homogeneous literal mismatches).

import type { Comprehension, Expr, ParsedExpr } from './ast.ts';
import { qualifiedName } from './parser.ts';
import { keywordField } from './schema-types.ts';
import type { Environment } from './env.ts';
import type { Overload } from './decls.ts';
import { T, assignable, formatCelType, isDynLike, join, substitute, type CelType, type Substitution } from './types.ts';

export interface CheckIssue {
  message: string;
  exprId: number;
}

export interface CheckResult {
  type: CelType;
  /** Overloads that matched statically per call id, in declaration order (the interpreter dispatches among them). */
  overloads: Map<number, Overload[]>;
  issues: CheckIssue[];
  /** Final type of every expression id. */
  types: Map<number, CelType>;
}

const TYPE_IDENTS: Record<string, CelType> = {
  int: T.int,
  uint: T.uint,
  double: T.double,
  bool: T.bool,
  string: T.string,
  bytes: T.bytes,
  null_type: T.null,
  list: T.list(T.dyn),
  map: T.map(T.dyn, T.dyn),
  type: T.type(T.dyn),
  'google.protobuf.Timestamp': T.timestamp,
  'google.protobuf.Duration': T.duration,
  optional_type: T.optional(T.dyn),
};

export function check(parsed: ParsedExpr, env: Environment): CheckResult {
  const c = new Checker(env);
  const t = c.check(parsed.expr, []);
  // cel-go runs its AST validators (HomogeneousAggregateLiterals among them) only after a check without issues.
  if (c.issues.length === 0) c.validateLiterals();
  const types = new Map([...c.types].map(([id, ty]) => [id, substitute(ty, c.subst, true)] as const));
  return { type: substitute(t, c.subst, true), overloads: c.overloads, issues: c.issues, types };
}

type Scope = ReadonlyArray<ReadonlyMap<string, CelType>>;

interface LiteralPart {
  id: number;
  type: CelType;
}
type Literal =
  | { kind: 'list'; elements: LiteralPart[]; exempt: boolean }
  | { kind: 'map'; entries: { key: LiteralPart; value: LiteralPart }[]; exempt: boolean };

class Checker {
  readonly issues: CheckIssue[] = [];
  readonly overloads = new Map<number, Overload[]>();
  readonly subst: Substitution = new Map();
  private fresh = 0;
  private homogeneousExempt = 0;
  private readonly literals: Literal[] = [];

  constructor(private readonly env: Environment) {}

  private error(id: number, message: string): CelType {
    this.issues.push({ message, exprId: id });
    return T.error;
  }

  private freshVar(): CelType {
    return T.param(`_var${this.fresh++}`);
  }

  private resolved(t: CelType): CelType {
    return substitute(t, this.subst);
  }

  private lookupVar(name: string, scope: Scope): CelType | undefined {
    for (let i = scope.length - 1; i >= 0; i--) {
      const t = scope[i]!.get(name);
      if (t) return t;
    }
    const n = name.startsWith('.') ? name.slice(1) : name;
    const typeIdent = TYPE_IDENTS[n];
    return this.env.variables.get(n) ?? (typeIdent && T.type(typeIdent)) ?? this.objectTypeIdent(n);
  }

  private objectTypeIdent(name: string): CelType | undefined {
    return this.env.objectTypes.has(name) ? T.type(T.object(name)) : undefined;
  }

  /** The checked type of every expression id (before final substitution). */
  readonly types = new Map<number, CelType>();

  check(e: Expr, scope: Scope): CelType {
    const t = this.checkExpr(e, scope);
    this.types.set(e.id, t);
    return t;
  }

  private checkExpr(e: Expr, scope: Scope): CelType {
    switch (e.kind) {
      case 'const':
        switch (e.value.kind) {
          case 'null':
            return T.null;
          case 'bool':
            return T.bool;
          case 'int':
            return T.int;
          case 'uint':
            return T.uint;
          case 'double':
            return T.double;
          case 'string':
            return T.string;
          case 'bytes':
            return T.bytes;
        }
        return T.error;
      case 'ident': {
        const t = this.lookupVar(e.name, scope);
        if (!t) return this.error(e.id, `undeclared reference to '${e.name.replace(/^\./, '')}' (in container '')`);
        return t;
      }
      case 'select':
        return this.checkSelect(e, scope);
      case 'call':
        return this.checkCall(e, scope);
      case 'list':
        return this.checkList(e, scope);
      case 'map':
        return this.checkMap(e, scope);
      case 'struct':
        return this.checkStruct(e, scope);
      case 'comprehension':
        return this.checkComprehension(e, scope);
    }
  }

  private checkSelect(e: Extract<Expr, { kind: 'select' }>, scope: Scope): CelType {
    // A qualified identifier (`variables.x` where only `variables` is declared is a normal select; a fully
    // qualified type name such as `google.protobuf.Timestamp` resolves as one identifier).
    const qn = qualifiedName(e);
    if (qn && !scope.some((frame) => frame.has(qn.split('.')[0]!))) {
      // cel-go resolves the longest declared prefix of a qualified name (`a.b.c` with `a.b` declared).
      const parts = qn.split('.');
      // Only dotted declarations can match, so long selection chains stay linear.
      const dotted = [...this.env.variables.keys()].filter(
        (v) => v.includes('.') && (qn === v || qn.startsWith(`${v}.`)),
      );
      for (let n = parts.length - (e.testOnly ? 1 : 0); n > 1 && dotted.length; n--) {
        const name = parts.slice(0, n).join('.');
        if (!dotted.includes(name)) continue;
        let node: Expr = e;
        for (let k = parts.length; k > n; k--) node = (node as Extract<Expr, { kind: 'select' }>).operand;
        if (node === e && !e.testOnly) return this.check(Object.assign(e, { kind: 'ident', name }) as Expr, scope);
        const ident = node as unknown as Record<string, unknown>;
        delete ident.operand;
        delete ident.field;
        delete ident.testOnly;
        Object.assign(ident, { kind: 'ident', name });
        break;
      }
    }
    if (qn && !e.testOnly && !this.lookupVar(qn.split('.')[0]!, scope)) {
      const t = TYPE_IDENTS[qn] ? T.type(TYPE_IDENTS[qn]) : this.objectTypeIdent(qn);
      if (t) {
        const node = e as unknown as Record<string, unknown>;
        delete node.operand;
        delete node.field;
        delete node.testOnly;
        Object.assign(node, { kind: 'ident', name: qn });
        return t;
      }
    }
    const operand = this.resolved(this.check(e.operand, scope));
    const field = this.fieldType(e.id, operand, e.field);
    return e.testOnly ? T.bool : field;
  }

  private fieldType(id: number, operand: CelType, field: string): CelType {
    switch (operand.kind) {
      case 'dyn':
      case 'any':
      case 'error':
      case 'param':
        return operand.kind === 'any' ? T.any : T.dyn;
      case 'map':
        if (!assignable(operand.key, T.string, new Map(this.subst))) {
          return this.error(id, `type '${formatCelType(operand)}' does not support field selection`);
        }
        return operand.value;
      case 'object': {
        const decl = this.env.objectTypes.get(operand.name);
        const f = decl && (decl.fields.get(field) ?? keywordField(decl, field));
        if (f) return f;
        if (decl?.open) return T.dyn;
        return this.error(id, `undefined field '${field}'`);
      }
      case 'opaque':
        if (operand.name === 'optional_type') {
          const inner = this.fieldType(id, this.resolved(operand.params[0]!), field);
          return T.optional(inner);
        }
        // Kubernetes declares its library types (`kubernetes.Quantity`, `kubernetes.authorization.Authorizer`, …)
        // as cel.ObjectType without fields: cel-go finds no struct to select from (net.IP/CIDR are opaque).
        if (operand.name.startsWith('kubernetes.'))
          return this.error(id, `unexpected failed resolution of '${operand.name}'`);
        return this.error(id, `type '${formatCelType(operand)}' does not support field selection`);
      default:
        return this.error(id, `type '${formatCelType(operand)}' does not support field selection`);
    }
  }

  private checkCall(e: Extract<Expr, { kind: 'call' }>, scope: Scope): CelType {
    // Namespaced global functions written as member calls: `optional.none()`, `sets.contains(a, b)`.
    if (e.target) {
      const qn = qualifiedName(e.target);
      if (qn && this.env.overloads.has(`${qn}.${e.fn}`) && !this.lookupVar(qn.split('.')[0]!, scope)) {
        e.fn = `${qn}.${e.fn}`;
        delete e.target;
      }
    }
    // cel-go exempts literal arguments of format() from the homogeneous aggregate literal rule.
    const exempt = e.fn === 'format' && this.env.homogeneousAggregateLiterals;
    if (exempt) this.homogeneousExempt++;
    let args: CelType[];
    let target: CelType | undefined;
    try {
      args = e.args.map((a) => this.check(a, scope));
      target = e.target ? this.check(e.target, scope) : undefined;
    } finally {
      if (exempt) this.homogeneousExempt--;
    }
    switch (e.fn) {
      case '_&&_':
      case '_||_':
      case '@not_strictly_false':
        args.forEach((t, i) => {
          if (!assignable(T.bool, this.resolved(t), new Map(this.subst))) {
            this.noMatch(e.id, e.fn, args, undefined);
            void i;
          }
        });
        return T.bool;
      case '_?._':
        return T.optional(this.optionalSelectType(e.id, this.resolved(args[0]!), e.args[1]!));
      default:
        break;
    }
    const all = this.env.overloads.get(e.fn) ?? [];
    const candidates = all.filter((o) => o.member === !!target && o.params.length === args.length + (target ? 1 : 0));
    if (all.length === 0) {
      // cel-go reports an unknown function as an undeclared reference to its (qualified) name.
      return this.error(e.id, `undeclared reference to '${e.fn}' (in container '')`);
    }
    const actual = target ? [target, ...args] : args;
    const matched: Overload[] = [];
    let result: CelType | undefined;
    let commit: Substitution | undefined;
    for (const o of candidates) {
      const s: Substitution = new Map(this.subst);
      const rename = renamer(e.id);
      if (o.params.every((p, i) => assignable(rename(p), actual[i]!, s))) {
        matched.push(o);
        const r = substitute(rename(o.result), s);
        result = result === undefined ? r : join(result, r);
        commit = commit ?? s;
      }
    }
    if (!matched.length || result === undefined) {
      if (actual.some((t) => this.resolved(t).kind === 'error')) return T.error;
      return this.noMatch(e.id, e.fn, args, target);
    }
    if (matched.length === 1 && commit) for (const [k, v] of commit) this.subst.set(k, v);
    this.overloads.set(e.id, matched);
    return result;
  }

  private optionalSelectType(id: number, operand: CelType, fieldExpr: Expr): CelType {
    const field = fieldExpr.kind === 'const' && fieldExpr.value.kind === 'string' ? fieldExpr.value.value : '';
    if (operand.kind === 'opaque' && operand.name === 'optional_type')
      return this.fieldType(id, this.resolved(operand.params[0]!), field);
    return this.fieldType(id, operand, field);
  }

  private noMatch(id: number, fn: string, args: CelType[], target: CelType | undefined): CelType {
    const list = args.map((t) => formatCelType(substitute(t, this.subst, true))).join(', ');
    const sig = target ? `${formatCelType(substitute(target, this.subst, true))}.(${list})` : `(${list})`;
    return this.error(id, `found no matching overload for '${fn}' applied to '${sig}'`);
  }

  /** cel-go's joinTypes without the checker option: assignable types keep the more general one, else dyn. */
  private joinLiteral(previous: CelType | undefined, current: CelType): CelType {
    if (previous === undefined) return current;
    const s = new Map(this.subst);
    if (assignable(previous, current, s)) {
      for (const [k, v] of s) this.subst.set(k, v);
      return isDynLike(this.resolved(current)) ? current : previous;
    }
    return T.dyn;
  }

  /**
   * ValidateHomogeneousAggregateLiterals, run after checking as cel-go's AST validator does: list elements (and map
   * keys and values) must have equivalent types, dyn included; one issue per list, one per map entry.
   */
  validateLiterals(): void {
    if (!this.env.homogeneousAggregateLiterals) return;
    const final = (t: CelType) => formatCelType(substitute(t, this.subst, true));
    const mismatch = (id: number, want: CelType, got: CelType) =>
      this.error(id, `expected type '${final(want)}' but found '${final(got)}'`);
    for (const lit of this.literals) {
      if (lit.exempt) continue;
      if (lit.kind === 'list') {
        const [first, ...rest] = lit.elements;
        for (const el of rest) {
          if (final(el.type) !== final(first!.type)) {
            mismatch(el.id, first!.type, el.type);
            break;
          }
        }
      } else {
        const [first, ...rest] = lit.entries;
        for (const en of rest) {
          if (final(en.key.type) !== final(first!.key.type)) mismatch(en.key.id, first!.key.type, en.key.type);
          if (final(en.value.type) !== final(first!.value.type))
            mismatch(en.value.id, first!.value.type, en.value.type);
        }
      }
    }
  }

  private unwrapOptional(id: number, t: CelType): CelType {
    const r = this.resolved(t);
    if (r.kind === 'opaque' && r.name === 'optional_type') return r.params[0]!;
    if (isDynLike(r)) return T.dyn;
    return this.error(id, `expected type 'optional_type' but found '${formatCelType(r)}'`);
  }

  private checkList(e: Extract<Expr, { kind: 'list' }>, scope: Scope): CelType {
    let elem: CelType | undefined;
    const elements: LiteralPart[] = [];
    e.elements.forEach((el, i) => {
      let t = this.check(el, scope);
      if (e.optionalIndices.includes(i)) t = this.unwrapOptional(el.id, t);
      elem = this.joinLiteral(elem, t);
      elements.push({ id: el.id, type: t });
    });
    if (elements.length > 1) this.literals.push({ kind: 'list', elements, exempt: this.homogeneousExempt > 0 });
    return T.list(elem ?? this.freshVar());
  }

  private checkMap(e: Extract<Expr, { kind: 'map' }>, scope: Scope): CelType {
    let key: CelType | undefined;
    let value: CelType | undefined;
    const entries: { key: LiteralPart; value: LiteralPart }[] = [];
    for (const entry of e.entries) {
      const k = this.check(entry.key, scope);
      let v = this.check(entry.value, scope);
      if (entry.optional) v = this.unwrapOptional(entry.value.id, v);
      key = this.joinLiteral(key, k);
      value = this.joinLiteral(value, v);
      entries.push({ key: { id: entry.key.id, type: k }, value: { id: entry.value.id, type: v } });
    }
    if (entries.length > 1) this.literals.push({ kind: 'map', entries, exempt: this.homogeneousExempt > 0 });
    return T.map(key ?? this.freshVar(), value ?? this.freshVar());
  }

  private checkStruct(e: Extract<Expr, { kind: 'struct' }>, scope: Scope): CelType {
    const name = e.typeName.replace(/^\./, '');
    const decl = this.env.objectTypes.get(name);
    if (!decl) {
      e.fields.forEach((f) => this.check(f.value, scope));
      return this.error(e.id, `undeclared reference to '${name}' (in container '')`);
    }
    for (const f of e.fields) {
      let t = this.check(f.value, scope);
      if (f.optional) t = this.unwrapOptional(f.value.id, t);
      const declared = decl.fields.get(f.field) ?? (decl.open ? T.dyn : undefined);
      if (!declared) {
        this.error(f.id, `undefined field '${f.field}'`);
        continue;
      }
      if (!assignable(declared, t, new Map(this.subst))) {
        this.error(
          f.id,
          `expected type of field '${f.field}' is '${formatCelType(declared)}' but provided type is '${formatCelType(substitute(t, this.subst, true))}'`,
        );
      }
    }
    return T.object(name);
  }

  private checkComprehension(e: Comprehension, scope: Scope): CelType {
    const range = this.resolved(this.check(e.iterRange, scope));
    let v1: CelType;
    let v2: CelType | undefined;
    switch (range.kind) {
      case 'list':
        if (e.iterVar2) [v1, v2] = [T.int, range.elem];
        else v1 = range.elem;
        break;
      case 'map':
        v1 = range.key;
        if (e.iterVar2) v2 = range.value;
        break;
      case 'dyn':
      case 'any':
      case 'error':
      case 'param':
        v1 = T.dyn;
        if (e.iterVar2) v2 = T.dyn;
        break;
      default:
        this.error(
          e.iterRange.id,
          `expression of type '${formatCelType(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`,
        );
        v1 = T.dyn;
        if (e.iterVar2) v2 = T.dyn;
    }
    const accu = this.check(e.accuInit, scope);
    const accuScope = new Map([[e.accuVar, accu]]);
    const iterScope = new Map<string, CelType>([[e.iterVar, v1]]);
    if (e.iterVar2 && v2) iterScope.set(e.iterVar2, v2);
    const inner: Scope = [...scope, accuScope, iterScope];
    const cond = this.check(e.loopCondition, inner);
    if (!assignable(T.bool, this.resolved(cond), new Map(this.subst))) {
      this.error(e.loopCondition.id, `expected type 'bool' but found '${formatCelType(this.resolved(cond))}'`);
    }
    const step = this.check(e.loopStep, inner);
    const s = new Map(this.subst);
    if (assignable(accu, step, s)) for (const [k, v] of s) this.subst.set(k, v);
    else
      this.error(
        e.loopStep.id,
        `expected type '${formatCelType(substitute(accu, this.subst, true))}' but found '${formatCelType(substitute(step, this.subst, true))}'`,
      );
    return this.check(e.result, [...scope, accuScope]);
  }
}

/** Gives an overload's type parameters names unique to one call site, so bindings do not leak between calls. */
function renamer(callId: number): (t: CelType) => CelType {
  const go = (t: CelType): CelType => {
    switch (t.kind) {
      case 'param':
        return T.param(`${t.name}#${callId}`);
      case 'list':
        return T.list(go(t.elem));
      case 'map':
        return T.map(go(t.key), go(t.value));
      case 'type':
        return T.type(go(t.of));
      case 'opaque':
        return { kind: 'opaque', name: t.name, params: t.params.map(go) };
      default:
        return t;
    }
  };
  return go;
}
