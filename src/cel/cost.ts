// Runtime cost of function calls as cel-go's CostTracker and Kubernetes' library CostEstimator charge them:
// most calls cost 1; string, list and parsing functions cost by the size of their arguments (cel-go's
// StringTraversalCostFactor 0.1 and RegexStringLengthCostFactor 0.25); an authorization check costs 350,000.

import { MapValue, OptionalValue, isList, type Value } from './values.ts';

const TRAVERSAL = 0.1;
const REGEX = 0.25;

/** cel-go's actualSize: the size of strings (code points), bytes, lists and maps; 1 for anything else. */
export function actualSize(v: Value | undefined): number {
  if (typeof v === 'string') return [...v].length;
  if (v instanceof Uint8Array) return v.length;
  if (isList(v as Value)) return (v as readonly Value[]).length;
  if (v instanceof MapValue) return v.size;
  if (v instanceof OptionalValue && v.hasValue()) return actualSize(v.value);
  return 1;
}

/** Kubernetes' traversalCost: strings and bytes by length (truncated), containers by their elements. */
function traversalCost(v: Value): number {
  if (typeof v === 'string') return Math.floor([...v].length * TRAVERSAL);
  if (v instanceof Uint8Array) return Math.floor(v.length * TRAVERSAL);
  if (isList(v)) return v.reduce((sum: number, x) => sum + traversalCost(x), 0);
  if (v instanceof MapValue)
    return [...v.entries()].reduce((sum, [k, x]) => sum + traversalCost(k) + traversalCost(x), 0);
  return 1;
}

const ceil = Math.ceil;
const traverse = (v: Value | undefined, factor = 1) => ceil(actualSize(v) * factor * TRAVERSAL);
const regexCost = (s: Value | undefined, re: Value | undefined) =>
  ceil((1 + actualSize(s)) * TRAVERSAL) * ceil(actualSize(re) * REGEX);
const isStringOrBytes = (v: Value | undefined) => typeof v === 'string' || v instanceof Uint8Array;

/**
 * The cost of one call; `args` has the receiver first for member calls. `undefined` means the default of 1.
 */
export function callCost(fn: string, args: readonly Value[], result: Value): number | undefined {
  const [a, b] = args;
  switch (fn) {
    // Kubernetes library CostEstimator.
    case 'check':
      return 350_000;
    case 'isSorted':
    case 'sum':
    case 'max':
    case 'min':
    case 'indexOf':
    case 'lastIndexOf':
      return traversalCost(a!);
    case 'url':
    case 'lowerAscii':
    case 'upperAscii':
    case 'substring':
    case 'trim':
    case 'jsonpatch.escapeKey':
    case 'cidr':
    case 'isIP':
    case 'isCIDR':
    case 'quantity':
    case 'isQuantity':
    case 'semver':
    case 'isSemver':
      return traverse(a);
    case 'ip':
      return typeof a === 'string' ? traverse(a) : 1;
    case 'ip.isCanonical':
    case 'replace':
    case 'split':
      return traverse(a, 2);
    case 'join':
      return traverse(result, 2);
    case 'find':
    case 'findAll':
      return regexCost(a, b);
    case 'containsIP':
      return ceil(2 * actualSize(a) * TRAVERSAL) + (typeof b === 'string' ? traverse(b) : 0);
    case 'containsCIDR':
      return ceil(2 * actualSize(a) * TRAVERSAL) + traverse(a) + 1 + (typeof b === 'string' ? traverse(b) : 0);
    // cel-go ext lists v3 build a new list: creation (10) plus its size.
    case 'slice':
    case 'reverse':
    case 'lists.range':
      return 11 + actualSize(result);
    case 'flatten':
      return 11 + actualSize(a);
    case 'distinct':
      return 11 + 2 * actualSize(a) * actualSize(a);
    // cel-go ext sets: the product of the sizes.
    case 'sets.contains':
    case 'sets.intersects':
      return actualSize(a) * actualSize(b) + 1;
    case 'sets.equivalent':
      return 2 * actualSize(a) * actualSize(b) + 1;
    // cel-go's own CostTracker.
    case 'startsWith':
    case 'endsWith':
    case 'format':
    case 'strings.quote':
      return traverse(a);
    case 'bytes':
    case 'string':
      return isStringOrBytes(a) ? traverse(a) : undefined;
    case '@in':
      return isList(b as Value) ? actualSize(b) : undefined;
    case '_==_':
    case '_!=_':
    case '_<_':
    case '_<=_':
    case '_>_':
    case '_>=_':
      if (fn === '_==_' || fn === '_!=_' || (isStringOrBytes(a) && isStringOrBytes(b))) {
        return ceil(Math.min(actualSize(a), actualSize(b)) * TRAVERSAL);
      }
      return undefined;
    case '_+_':
      return isStringOrBytes(a) ? ceil((actualSize(a) + actualSize(b)) * TRAVERSAL) : undefined;
    case 'matches':
      return regexCost(a, b);
    case 'contains':
      return traverse(a) * traverse(b);
    default:
      return undefined;
  }
}
