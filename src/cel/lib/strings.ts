// cel-go ext Strings as Kubernetes loads it: version 0 functions always, version 2 (`format`, `strings.quote`)
// from 1.29. Indexes count code points, as Go's runes do.

import { callStd } from '../bufbuild.ts';
import { func, method, stringCost, type Library } from '../decls.ts';
import { fail, nativeStringLists, type Value } from '../values.ts';

const cps = (s: Value): string[] => Array.from(s as string);
const n = (v: Value): number => Number(v as bigint);

// Offsets as cel-go's ext strings v2 treats them (checked against kube-apiserver): negative is an error, an
// empty substring is found at the offset, and an offset past the end finds nothing.
function indexOf(s: string[], sub: string[], start: number, last: boolean): bigint {
  if (start < 0) return fail(`index out of range: ${start}`);
  if (sub.length === 0) return BigInt(start);
  if (start > s.length || (last && start >= s.length)) return -1n;
  if (!last) {
    for (let i = start; i + sub.length <= s.length; i++) if (sub.every((c, j) => s[i + j] === c)) return BigInt(i);
    return -1n;
  }
  for (let i = Math.min(start, s.length - sub.length); i >= 0; i--)
    if (sub.every((c, j) => s[i + j] === c)) return BigInt(i);
  return -1n;
}

function replace(s: string, old: string, rep: string, count: number): string {
  if (count === 0) return s;
  if (old === '') {
    // Go strings.Replace with an empty old string inserts at every rune boundary.
    const chars = Array.from(s);
    let out = '';
    let done = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (count < 0 || done < count) {
        out += rep;
        done++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  let out = '';
  let rest = s;
  let done = 0;
  for (;;) {
    const i = rest.indexOf(old);
    if (i < 0 || (count >= 0 && done >= count)) break;
    out += rest.slice(0, i) + rep;
    rest = rest.slice(i + old.length);
    done++;
  }
  return out + rest;
}

function split(s: string, sep: string, limit: number): Value {
  const list = splitParts(s, sep, limit);
  nativeStringLists.add(list);
  return list;
}

function splitParts(s: string, sep: string, limit: number): readonly string[] {
  if (limit === 0) return Object.freeze([]);
  if (limit === 1) return Object.freeze([s]);
  const parts = sep === '' ? Array.from(s) : s.split(sep);
  if (limit < 0 || parts.length <= limit) return Object.freeze(parts);
  if (sep === '') return Object.freeze([...parts.slice(0, limit - 1), parts.slice(limit - 1).join('')]);
  return Object.freeze([...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)]);
}

// Go's unicode.IsSpace set, which strings.TrimSpace uses.
const SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0)!;
    const esc: Record<string, string> = {
      '\x07': '\\a',
      '\b': '\\b',
      '\f': '\\f',
      '\n': '\\n',
      '\r': '\\r',
      '\t': '\\t',
      '\v': '\\v',
      '\\': '\\\\',
      '"': '\\"',
    };
    if (c in esc) out += esc[c];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return out + '"';
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** Go's %f with the en_US grouping cel-go's format uses: 1e20 → "100,000,000,000,000,000,000.000000". */
function fixedPoint(x: number, precision: number): string {
  const [whole, frac] = toFixedHalfEven(Math.abs(x), precision).split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${x < 0 ? '-' : ''}${grouped}${frac !== undefined ? '.' + frac : ''}`;
}

/**
 * Go's strconv formatting of a finite non-negative double with `precision` decimals: the exact binary value is
 * rounded half to even (2.5 → "2", 0.25 → "0.2"), where JavaScript's toFixed rounds half up.
 */
export function toFixedHalfEven(x: number, precision: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e2 = exp - 1075;
  if (exp === 0) e2 = -1074;
  else mant |= 1n << 52n;
  // x = mant × 2^e2 exactly = digits / 10^scale.
  let digits: bigint;
  let scale: number;
  if (e2 >= 0) {
    digits = mant << BigInt(e2);
    scale = 0;
  } else {
    digits = mant * 5n ** BigInt(-e2);
    scale = -e2;
  }
  if (scale > precision) {
    const div = 10n ** BigInt(scale - precision);
    const q = digits / div;
    const r = digits % div;
    const twice = r * 2n;
    digits = twice > div || (twice === div && q % 2n === 1n) ? q + 1n : q;
  } else digits *= 10n ** BigInt(precision - scale);
  const s = digits.toString().padStart(precision + 1, '0');
  return precision ? `${s.slice(0, s.length - precision)}.${s.slice(s.length - precision)}` : s;
}

/** cel-go's %e (strings v2): six decimals and a superscript power of ten, 1234.5 → "1.234500×10⁰³". */
function scientific(x: number): string {
  const [mant, exp] = x.toExponential(6).split('e') as [string, string];
  const e = Number(exp);
  const digits = String(Math.abs(e)).padStart(2, '0');
  return `${mant}×10${e < 0 ? '⁻' : ''}${[...digits].map((d) => SUPERSCRIPT[Number(d)]).join('')}`;
}

/**
 * strings v2 `format`: %f and %e are formatted here (as cel-go does, which @bufbuild/cel does not), the other
 * clauses one by one by @bufbuild/cel.
 */
function format(f: string, args: readonly Value[]): string {
  const cps = Array.from(f);
  let out = '';
  let next = 0;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    let clause = '%';
    i++;
    if (cps[i] === '%') {
      out += '%';
      continue;
    }
    let precision: number | undefined;
    if (cps[i] === '.') {
      let digits = '';
      i++;
      while (i < cps.length && /[0-9]/.test(cps[i]!)) digits += cps[i++];
      precision = Number(digits || '0');
      clause += `.${digits}`;
    }
    const verb = cps[i];
    if (verb === undefined) return fail('unexpected end of string');
    if (next >= args.length) return fail(`index ${next} out of range`);
    const arg = args[next++]!;
    if ((verb === 'f' || verb === 'e') && typeof arg === 'number' && Number.isFinite(arg)) {
      out += verb === 'f' ? fixedPoint(arg, precision ?? 6) : scientific(arg);
      continue;
    }
    out += callStd('format', true, [clause + verb, Object.freeze([arg])]) as string;
  }
  if (next < args.length)
    return fail(`too many arguments supplied to string.format (expected ${next}, got ${args.length})`);
  return out;
}

const strCost = ([s]: Value[]) => stringCost(s as string) || 1;

export const stringsLibrary: Library = {
  name: 'ext strings v0',
  introduced: 0,
  overloads: [
    method('string', 'charAt', ['int'], 'string', ([s, i]) => {
      const c = cps(s!);
      const idx = n(i!);
      if (idx < 0 || idx > c.length) return fail(`index out of range: ${idx}`);
      return c[idx] ?? '';
    }),
    method('string', 'indexOf', ['string'], 'int', ([s, sub]) => indexOf(cps(s!), cps(sub!), 0, false), strCost),
    method(
      'string',
      'indexOf',
      ['string', 'int'],
      'int',
      ([s, sub, i]) => indexOf(cps(s!), cps(sub!), n(i!), false),
      strCost,
    ),
    method(
      'string',
      'lastIndexOf',
      ['string'],
      'int',
      ([s, sub]) => {
        const c = cps(s!);
        return cps(sub!).length === 0 ? BigInt(c.length) : indexOf(c, cps(sub!), Math.max(c.length - 1, 0), true);
      },
      strCost,
    ),
    method(
      'string',
      'lastIndexOf',
      ['string', 'int'],
      'int',
      ([s, sub, i]) => {
        return indexOf(cps(s!), cps(sub!), n(i!), true);
      },
      strCost,
    ),
    method(
      'string',
      'lowerAscii',
      [],
      'string',
      ([s]) => (s as string).replace(/[A-Z]/g, (c) => c.toLowerCase()),
      strCost,
    ),
    method(
      'string',
      'upperAscii',
      [],
      'string',
      ([s]) => (s as string).replace(/[a-z]/g, (c) => c.toUpperCase()),
      strCost,
    ),
    method(
      'string',
      'replace',
      ['string', 'string'],
      'string',
      ([s, o, r]) => replace(s as string, o as string, r as string, -1),
      strCost,
    ),
    method(
      'string',
      'replace',
      ['string', 'string', 'int'],
      'string',
      ([s, o, r, c]) => replace(s as string, o as string, r as string, n(c!)),
      strCost,
    ),
    method('string', 'split', ['string'], 'list(string)', ([s, sep]) => split(s as string, sep as string, -1), strCost),
    method(
      'string',
      'split',
      ['string', 'int'],
      'list(string)',
      ([s, sep, l]) => split(s as string, sep as string, n(l!)),
      strCost,
    ),
    method(
      'string',
      'substring',
      ['int'],
      'string',
      ([s, a]) => {
        const c = cps(s!);
        if (n(a!) < 0 || n(a!) > c.length) return fail(`index out of range: ${n(a!)}`);
        return c.slice(n(a!)).join('');
      },
      strCost,
    ),
    method(
      'string',
      'substring',
      ['int', 'int'],
      'string',
      ([s, a, b]) => {
        const c = cps(s!);
        const [x, y] = [n(a!), n(b!)];
        if (x < 0 || x > c.length) return fail(`index out of range: ${x}`);
        if (y < 0 || y > c.length) return fail(`index out of range: ${y}`);
        if (x > y) return fail(`invalid substring range. start: ${x}, end: ${y}`);
        return c.slice(x, y).join('');
      },
      strCost,
    ),
    method('string', 'trim', [], 'string', ([s]) => (s as string).replace(SPACE, ''), strCost),
    method('list(string)', 'join', [], 'string', ([l]) => (l as string[]).join('')),
    method('list(string)', 'join', ['string'], 'string', ([l, sep]) => (l as string[]).join(sep as string)),
  ],
};

export const stringsV2Library: Library = {
  name: 'ext strings v2: format, strings.quote',
  introduced: 29,
  overloads: [
    method(
      'string',
      'format',
      ['list(dyn)'],
      'string',
      ([f, l]) => format(f as string, l as readonly Value[]),
      strCost,
    ),
    func('strings.quote', ['string'], 'string', ([s]) => quote(s as string), strCost),
  ],
};
