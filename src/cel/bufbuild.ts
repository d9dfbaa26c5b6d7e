// Calls @bufbuild/cel's standard functions (conversions, timestamps and durations, `format`) through its public
// API: a tiny expression per signature (`a0.getHours(a1)`) is parsed and planned once, then evaluated with the
// arguments bound as variables. This keeps its Go-faithful implementations without copying them.

import { celEnv, celList, celMap, isCelError, isCelList, isCelMap, isCelType, parse, plan } from '@bufbuild/cel';
import type { CelInput, CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { EvalError, MapValue, TypeValue, isCelUint, type Value } from './values.ts';
import { isReflectMessage } from '@bufbuild/protobuf/reflect';

const env = celEnv({ funcs: strings });
const plans = new Map<string, ReturnType<typeof plan>>();

const OPERATOR_SOURCE: Record<string, (a: string[]) => string> = {
  '_+_': (a) => `${a[0]} + ${a[1]}`,
  '_-_': (a) => `${a[0]} - ${a[1]}`,
  '_<_': (a) => `${a[0]} < ${a[1]}`,
  '_<=_': (a) => `${a[0]} <= ${a[1]}`,
  '_>_': (a) => `${a[0]} > ${a[1]}`,
  '_>=_': (a) => `${a[0]} >= ${a[1]}`,
  '-_': (a) => `-${a[0]}`,
};

/** Evaluates the standard function `fn` with `args` (receiver first when `member`). */
export function callStd(fn: string, member: boolean, args: readonly Value[]): Value {
  const names = args.map((_, i) => `a${i}`);
  const key = `${member ? 'm' : 'g'}:${fn}/${args.length}`;
  let p = plans.get(key);
  if (!p) {
    const op = OPERATOR_SOURCE[fn];
    const src = op
      ? op(names)
      : member
        ? `${names[0]}.${fn}(${names.slice(1).join(', ')})`
        : `${fn}(${names.join(', ')})`;
    p = plan(env, parse(src));
    plans.set(key, p);
  }
  const bindings: Record<string, CelInput> = {};
  args.forEach((a, i) => (bindings[`a${i}`] = toBuf(a)));
  const r = p(bindings);
  if (isCelError(r)) throw new EvalError(translateError(r.message));
  return fromBuf(r);
}

function toBuf(v: Value): CelInput {
  if (Array.isArray(v)) return celList(v.map(toBuf));
  if (v instanceof MapValue) return celMap(new Map([...v.entries()].map(([k, x]) => [toBuf(k) as string, toBuf(x)])));
  if (v instanceof TypeValue) throw new EvalError(`no such overload`);
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !isCelUint(v) && !isReflectMessage(v)) {
    throw new EvalError('no such overload');
  }
  return v as CelInput;
}

function fromBuf(v: CelValue): Value {
  if (isCelList(v)) return Object.freeze([...v].map(fromBuf));
  if (isCelMap(v)) return new MapValue([...v.entries()].map(([k, x]) => [fromBuf(k as CelValue), fromBuf(x)] as const));
  if (isCelType(v)) return new TypeValue(v.name);
  return v as Value;
}

/** cel-es words some runtime errors differently from cel-go; Kubernetes surfaces cel-go's words. */
function translateError(message: string): string {
  if (/overflow/.test(message)) return /duration|timestamp/i.test(message) ? message : 'integer overflow';
  if (/unbound function|no matching overload|no such overload/.test(message)) return 'no such overload';
  return message;
}
