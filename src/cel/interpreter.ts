// A tree-walking evaluator over the checked AST, counting runtime cost as cel-go does (identifiers and selections
// 1, constants 0, list/map/object literals 10/30/40, function calls by their declared cost) and stopping with
// Kubernetes' error once the cost limit is exceeded.

import type { Comprehension, Expr } from './ast.ts';
import type { CallContext, Overload } from './decls.ts';
import { callCost } from './cost.ts';
import type { Environment } from './env.ts';
import type { CelType } from './types.ts';
import {
  EvalError,
  LazyVariables,
  MapValue,
  ObjectValue,
  OptionalValue,
  TypeValue,
  celUint,
  isCelUint,
  isDuration,
  isTimestamp,
  typeName,
  type Value,
} from './values.ts';

export const COST_LIMIT_MESSAGE = 'operation cancelled: actual cost limit exceeded';

/** Thrown when the cost budget is spent; never absorbed by `||`/`&&` like an ordinary error. */
export class CostLimitExceeded extends Error {
  constructor() {
    super(COST_LIMIT_MESSAGE);
  }
}

export interface EvalState {
  cost: number;
  limit: number;
  ctx: CallContext;
}

type Frame = ReadonlyMap<string, Value>;

/** An error held as a comprehension accumulator value; it is raised when the accumulator is read. */
class ErrorValue {
  constructor(readonly error: EvalError) {}
}

export class Interpreter {
  constructor(
    private readonly env: Environment,
    private readonly overloads: ReadonlyMap<number, readonly Overload[]>,
    readonly state: EvalState,
  ) {}

  private charge(n: number): void {
    this.state.cost += n;
    if (this.state.cost > this.state.limit) throw new CostLimitExceeded();
  }

  eval(e: Expr, frames: readonly Frame[], globals: ReadonlyMap<string, Value>): Value {
    switch (e.kind) {
      case 'const':
        if (e.value.kind === 'uint') return celUint(e.value.value);
        return e.value.kind === 'null' ? null : e.value.value;
      case 'ident': {
        this.charge(1);
        for (let i = frames.length - 1; i >= 0; i--) {
          const v = frames[i]!.get(e.name);
          if (v instanceof ErrorValue) throw v.error;
          if (v !== undefined) return v;
        }
        const name = e.name.replace(/^\./, '');
        const v = globals.get(name);
        if (v !== undefined) return v;
        if (this.env.objectTypes.has(name) || TYPE_NAMES.has(name)) return new TypeValue(TYPE_NAMES.get(name) ?? name);
        throw new EvalError(`no such attribute: ${name}`, e.id);
      }
      case 'select': {
        const operand = this.eval(e.operand, frames, globals);
        if (e.testOnly) return this.has(operand, e.field);
        this.charge(1);
        return this.select(operand, e.field, e.id);
      }
      case 'list': {
        if (!isConstantLiteral(e)) this.charge(10);
        const out: Value[] = [];
        e.elements.forEach((el, i) => {
          const v = this.eval(el, frames, globals);
          if (e.optionalIndices.includes(i)) {
            if (!(v instanceof OptionalValue)) throw new EvalError('no such overload', el.id);
            if (v.hasValue()) out.push(v.value);
          } else out.push(v);
        });
        return Object.freeze(out);
      }
      case 'map': {
        if (!isConstantLiteral(e)) this.charge(30);
        const entries: [Value, Value][] = [];
        for (const entry of e.entries) {
          const k = this.eval(entry.key, frames, globals);
          const v = this.eval(entry.value, frames, globals);
          if (entry.optional) {
            if (!(v instanceof OptionalValue)) throw new EvalError('no such overload', entry.id);
            if (v.hasValue()) entries.push([k, v.value]);
          } else entries.push([k, v]);
        }
        try {
          return new MapValue(entries);
        } catch (err) {
          throw new EvalError((err as Error).message, e.id);
        }
      }
      case 'struct': {
        this.charge(40);
        const fields = new Map<string, Value>();
        for (const f of e.fields) {
          const v = this.eval(f.value, frames, globals);
          if (f.optional) {
            if (!(v instanceof OptionalValue)) throw new EvalError('no such overload', f.id);
            if (v.hasValue()) fields.set(f.field, v.value);
          } else fields.set(f.field, v);
        }
        return new ObjectValue(e.typeName.replace(/^\./, ''), fields);
      }
      case 'comprehension':
        return this.fold(e, frames, globals);
      case 'call':
        return this.call(e, frames, globals);
    }
  }

  private has(operand: Value, field: string): boolean {
    if (operand instanceof MapValue) return operand.has(this.key(field));
    if (operand instanceof ObjectValue) return operand.fields.has(field);
    if (operand instanceof LazyVariables) return operand.has(field);
    if (operand instanceof OptionalValue) return operand.hasValue() && this.has(operand.value, field);
    // cel-go's "error on bad presence test" is off in Kubernetes: has() on null or a scalar is false.
    return false;
  }

  private key(field: string): string {
    return this.env.runtime.unescapeFieldNames ? unescapeFieldName(field) : field;
  }

  select(operand: Value, field: string, id: number): Value {
    if (operand instanceof MapValue) {
      const v = operand.get(this.key(field));
      if (v === undefined) throw new EvalError(`no such key: ${field}`, id);
      return v;
    }
    if (operand instanceof ObjectValue) {
      const v = operand.fields.get(field);
      if (v === undefined) throw new EvalError(`no such key: ${field}`, id);
      return v;
    }
    if (operand instanceof LazyVariables) return operand.get(field, this);
    if (operand instanceof OptionalValue) {
      if (!operand.hasValue()) return operand;
      const inner = operand.value;
      if (!(inner instanceof MapValue || inner instanceof ObjectValue || inner instanceof LazyVariables)) {
        throw new EvalError(`no such key: ${field}`, id);
      }
      return this.has(inner, field) ? OptionalValue.of(this.select(inner, field, id)) : OptionalValue.none;
    }
    throw new EvalError(`no such key: ${field}`, id);
  }

  private index(container: Value, key: Value, id: number): Value {
    if (Array.isArray(container)) {
      const i = listIndex(key);
      if (i === undefined) throw new EvalError('no such overload', id);
      if (i < 0n || i >= BigInt(container.length)) {
        throw new EvalError(`index out of bounds: ${i}`, id);
      }
      return container[Number(i)]!;
    }
    if (container instanceof MapValue) {
      const k = typeof key === 'string' ? this.key(key) : key;
      const v = container.get(k);
      if (v === undefined) throw new EvalError(`no such key: ${formatKey(key)}`, id);
      return v;
    }
    if (container instanceof OptionalValue) {
      if (!container.hasValue()) return container;
      return this.optIndex(container.value, key, id);
    }
    throw new EvalError('no such overload', id);
  }

  private optIndex(container: Value, key: Value, id: number): OptionalValue {
    if (container instanceof OptionalValue)
      return container.hasValue() ? this.optIndex(container.value, key, id) : container;
    if (Array.isArray(container)) {
      const i = listIndex(key);
      if (i === undefined) throw new EvalError('no such overload', id);
      return i >= 0n && i < BigInt(container.length) ? OptionalValue.of(container[Number(i)]!) : OptionalValue.none;
    }
    if (container instanceof MapValue) {
      const v = container.get(typeof key === 'string' ? this.key(key) : key);
      return v === undefined ? OptionalValue.none : OptionalValue.of(v);
    }
    if (container instanceof ObjectValue || container instanceof LazyVariables) {
      if (typeof key !== 'string') throw new EvalError('no such overload', id);
      return this.has(container, key) ? OptionalValue.of(this.select(container, key, id)) : OptionalValue.none;
    }
    throw new EvalError('no such overload', id);
  }

  private fold(e: Comprehension, frames: readonly Frame[], globals: ReadonlyMap<string, Value>): Value {
    const range = this.eval(e.iterRange, frames, globals);
    let items: [Value, Value][];
    if (Array.isArray(range)) items = range.map((v, i) => [BigInt(i), v]);
    else if (range instanceof MapValue) items = [...range.entries()];
    else
      throw new EvalError(
        `expression of type '${typeName(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`,
        e.id,
      );
    let accu = this.eval(e.accuInit, frames, globals);
    const accuFrame = new Map<string, Value>([[e.accuVar, accu]]);
    const withAccu = [...frames, accuFrame];
    for (const [first, second] of items) {
      const iter = new Map<string, Value>();
      if (e.iterVar2) {
        iter.set(e.iterVar, first);
        iter.set(e.iterVar2, second);
      } else iter.set(e.iterVar, Array.isArray(range) ? second : first);
      const inner = [...withAccu, iter];
      const go = this.eval(e.loopCondition, inner, globals);
      if (go !== true) break;
      // Like cel-go, an error becomes the accumulator's value; a later `false && error` can still absorb it.
      try {
        accu = this.eval(e.loopStep, inner, globals);
      } catch (err) {
        if (!(err instanceof EvalError)) throw err;
        accu = new ErrorValue(err) as unknown as Value;
      }
      accuFrame.set(e.accuVar, accu);
    }
    return this.eval(e.result, withAccu, globals);
  }

  private call(
    e: Extract<Expr, { kind: 'call' }>,
    frames: readonly Frame[],
    globals: ReadonlyMap<string, Value>,
  ): Value {
    switch (e.fn) {
      case '_&&_':
      case '_||_':
        return this.logical(e.fn === '_&&_', e.args, frames, globals);
      case '_?_:_': {
        const c = this.eval(e.args[0]!, frames, globals);
        if (typeof c !== 'boolean') throw new EvalError('no such overload', e.id);
        return this.eval(e.args[c ? 1 : 2]!, frames, globals);
      }
      case '@not_strictly_false': {
        try {
          const v = this.eval(e.args[0]!, frames, globals);
          return v !== false;
        } catch (err) {
          if (err instanceof EvalError) return true;
          throw err;
        }
      }
      case '_?._': {
        const operand = this.eval(e.args[0]!, frames, globals);
        const field = (e.args[1] as { value: { value: string } }).value.value;
        this.charge(1);
        return this.optIndex(operand, field, e.id);
      }
      case '_[_]': {
        const c = this.eval(e.args[0]!, frames, globals);
        const k = this.eval(e.args[1]!, frames, globals);
        // A qualifier costs 1; indexing a computed value (not a variable path) is also an attribute lookup.
        this.charge(isAttributePath(e.args[0]!) ? 1 : 2);
        return this.index(c, k, e.id);
      }
      case '_[?_]': {
        const c = this.eval(e.args[0]!, frames, globals);
        const k = this.eval(e.args[1]!, frames, globals);
        this.charge(1);
        return this.optIndex(c, k, e.id);
      }
      case '@in':
        if (this.env.runtime.unescapeFieldNames) {
          const [k, c] = [this.eval(e.args[0]!, frames, globals), this.eval(e.args[1]!, frames, globals)];
          this.charge(1);
          if (c instanceof MapValue && typeof k === 'string') return c.has(this.key(k));
          return this.dispatch(e, k === undefined ? [] : [k, c]);
        }
        break;
      default:
        break;
    }
    // dyn() only changes the static type; cel-go removes it from the program.
    if (e.fn === 'dyn' && !e.target && e.args.length === 1) return this.eval(e.args[0]!, frames, globals);
    const args: Value[] = [];
    if (e.target) args.push(this.eval(e.target, frames, globals));
    for (const a of e.args) args.push(this.eval(a, frames, globals));
    return this.dispatch(e, args);
  }

  private dispatch(e: Extract<Expr, { kind: 'call' }>, args: Value[]): Value {
    // Calls the checker could not resolve (only when checking was skipped) dispatch over every overload.
    const candidates =
      this.overloads.get(e.id) ??
      (this.env.overloads.get(e.fn) ?? []).filter((o) => o.member === !!e.target && o.params.length === args.length);
    for (const o of candidates) {
      if (!o.params.every((p, i) => matches(args[i]!, p))) continue;
      // Calls that cel-go folds at plan time (conversions of constants) cost nothing at runtime.
      const folded = isConstantLiteral(e);
      // lists.range(n) would allocate n elements before its cost is known: refuse first if it cannot fit.
      if (o.fn === 'lists.range' && this.state.cost + 11 + Number(args[0] as bigint) > this.state.limit) {
        throw new CostLimitExceeded();
      }
      let result: Value;
      try {
        result = o.impl(args, this.state.ctx);
      } catch (err) {
        // A failing call is still charged, as cel-go observes the error value.
        if (!folded && !(err instanceof CostLimitExceeded))
          this.charge(callCost(o.fn, args, null) ?? (o.cost ? o.cost(args) : 1));
        if (err instanceof EvalError) {
          err.exprId ??= e.id;
          throw err;
        }
        if (err instanceof CostLimitExceeded) throw err;
        throw new EvalError((err as Error).message, e.id);
      }
      if (!folded) this.charge(callCost(o.fn, args, result) ?? (o.cost ? o.cost(args) : 1));
      return result;
    }
    throw new EvalError('no such overload', e.id);
  }

  private logical(
    and: boolean,
    operands: Expr[],
    frames: readonly Frame[],
    globals: ReadonlyMap<string, Value>,
  ): Value {
    // Commutative error handling: `false && error` and `error && false` are both false.
    let error: EvalError | undefined;
    for (const operand of operands) {
      let v: Value;
      try {
        v = this.eval(operand, frames, globals);
      } catch (err) {
        if (err instanceof EvalError) {
          error ??= err;
          continue;
        }
        throw err;
      }
      if (v === !and) return !and;
      if (typeof v !== 'boolean') error ??= new EvalError('no such overload');
    }
    if (error) throw error;
    return and;
  }
}

/** Identifiers and selections/indexes of them: one cel-go attribute whose qualifiers cost 1 each. */
function isAttributePath(e: Expr): boolean {
  if (e.kind === 'ident') return true;
  if (e.kind === 'select') return !e.testOnly && isAttributePath(e.operand);
  return e.kind === 'call' && e.fn === '_[_]' && isAttributePath(e.args[0]!);
}

const constantLiterals = new WeakMap<Expr, boolean>();

/** Functions whose calls on constant arguments cel-go evaluates when planning (observed with kube-apiserver). */
const FOLDED_FUNCTIONS = new Set([
  'dyn',
  'int',
  'uint',
  'double',
  'string',
  'bytes',
  'bool',
  'duration',
  'timestamp',
  'type',
]);

/**
 * Whether a literal is built from constants only (dyn() of a constant included): cel-go's planner folds those
 * (Kubernetes plans with OptOptimize), so creating them costs nothing at runtime.
 */
function isConstantLiteral(e: Expr): boolean {
  let r = constantLiterals.get(e);
  if (r !== undefined) return r;
  switch (e.kind) {
    case 'const':
      r = true;
      break;
    case 'call':
      r = FOLDED_FUNCTIONS.has(e.fn) && !e.target && e.args.every(isConstantLiteral);
      break;
    case 'list':
      r = e.optionalIndices.length === 0 && e.elements.every(isConstantLiteral);
      break;
    case 'map':
      r = e.entries.every((x) => !x.optional && isConstantLiteral(x.key) && isConstantLiteral(x.value));
      break;
    default:
      r = false;
  }
  constantLiterals.set(e, r);
  return r;
}

const TYPE_NAMES = new Map<string, string>([
  ['int', 'int'],
  ['uint', 'uint'],
  ['double', 'double'],
  ['bool', 'bool'],
  ['string', 'string'],
  ['bytes', 'bytes'],
  ['null_type', 'null_type'],
  ['list', 'list'],
  ['map', 'map'],
  ['type', 'type'],
  ['google.protobuf.Timestamp', 'google.protobuf.Timestamp'],
  ['google.protobuf.Duration', 'google.protobuf.Duration'],
  ['optional_type', 'optional_type'],
]);

function listIndex(key: Value): bigint | undefined {
  if (typeof key === 'bigint') return key;
  if (isCelUint(key)) return key.value;
  if (typeof key === 'number' && Number.isInteger(key)) return BigInt(key);
  return undefined;
}

function formatKey(k: Value): string {
  if (isCelUint(k)) return String(k.value);
  return String(k);
}

/** Whether a runtime value fits a declared parameter type (dyn and type parameters fit everything). */
export function matches(v: Value, t: CelType): boolean {
  switch (t.kind) {
    case 'dyn':
    case 'any':
    case 'param':
    case 'error':
      return true;
    case 'prim':
      if (t.name === 'timestamp') return isTimestamp(v);
      if (t.name === 'duration') return isDuration(v);
      return typeName(v) === t.name;
    case 'list':
      return Array.isArray(v);
    case 'map':
      return v instanceof MapValue;
    case 'type':
      return v instanceof TypeValue;
    case 'opaque':
      return typeName(v) === t.name;
    case 'object':
      return typeName(v) === t.name;
  }
}

// `__underscores__` is set aside first under a placeholder no escape can produce, so `__dot__` inside it stays.
const PLACEHOLDER = '\uE000';
const ESCAPES: [RegExp, string][] = [
  [/__underscores__/g, PLACEHOLDER],
  [/__dot__/g, '.'],
  [/__dash__/g, '-'],
  [/__slash__/g, '/'],
];

/** Kubernetes' CEL property-name unescaping (`__dot__` → `.`, `__<keyword>__` → keyword). */
export function unescapeFieldName(name: string): string {
  const kw =
    /^__(true|false|null|in|as|break|const|continue|else|for|function|if|import|let|loop|package|namespace|return|var|void|while)__$/.exec(
      name,
    );
  if (kw) return kw[1]!;
  let out = name;
  for (const [re, s] of ESCAPES) out = out.replace(re, s);
  return out.split(PLACEHOLDER).join('__');
}
