// CEL tokens (cel-spec langdef "Syntax"). Offsets count Unicode code points, as cel-go's source positions do.

export type TokenKind = 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'ident' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Punctuation/operator text, identifier name, or the raw literal text. */
  text: string;
  offset: number;
  /** Decoded value of string and bytes literals. */
  str?: string;
  bytes?: Uint8Array;
}

export class SyntaxError_ extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const PUNCT = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '?',
  ':',
  '.',
  ',',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
];

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isIdentStart = (c: string | undefined) => c !== undefined && /^[A-Za-z_]$/.test(c);
const isIdentPart = (c: string | undefined) => c !== undefined && /^[A-Za-z0-9_]$/.test(c);

export function tokenize(source: string): Token[] {
  const cp = Array.from(source);
  const tokens: Token[] = [];
  let i = 0;
  while (i < cp.length) {
    const c = cp[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '/' && cp[i + 1] === '/') {
      while (i < cp.length && cp[i] !== '\n') i++;
      continue;
    }
    const start = i;
    // String and bytes literals with optional r/b prefixes (in either order).
    let j = i;
    let raw = false;
    let isBytes = false;
    while (j < i + 2 && (cp[j] === 'r' || cp[j] === 'R' || cp[j] === 'b' || cp[j] === 'B')) {
      if (cp[j] === 'r' || cp[j] === 'R') raw = true;
      else isBytes = true;
      j++;
    }
    if (cp[j] === '"' || cp[j] === "'") {
      const end = readString(cp, j, raw, isBytes, tokens, start);
      i = end;
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(cp[i + 1]))) {
      i = readNumber(cp, i, tokens);
      continue;
    }
    if (isIdentStart(c)) {
      while (isIdentPart(cp[i])) i++;
      tokens.push({ kind: 'ident', text: cp.slice(start, i).join(''), offset: start });
      continue;
    }
    const two = c + (cp[i + 1] ?? '');
    const p = PUNCT.find((x) => x === two) ?? PUNCT.find((x) => x === c);
    if (p) {
      tokens.push({ kind: 'punct', text: p, offset: i });
      i += p.length;
      continue;
    }
    throw new SyntaxError_(`token recognition error at: '${c}'`, i);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', offset: cp.length });
  return tokens;
}

function readNumber(cp: string[], i: number, tokens: Token[]): number {
  const start = i;
  if (cp[i] === '0' && (cp[i + 1] === 'x' || cp[i + 1] === 'X') && isHex(cp[i + 2])) {
    i += 2;
    while (isHex(cp[i])) i++;
    const text = cp.slice(start, i).join('');
    if (cp[i] === 'u' || cp[i] === 'U') {
      tokens.push({ kind: 'uint', text, offset: start });
      return i + 1;
    }
    tokens.push({ kind: 'int', text, offset: start });
    return i;
  }
  let isDouble = false;
  while (isDigit(cp[i])) i++;
  if (cp[i] === '.' && isDigit(cp[i + 1])) {
    isDouble = true;
    i++;
    while (isDigit(cp[i])) i++;
  }
  if (
    (cp[i] === 'e' || cp[i] === 'E') &&
    (isDigit(cp[i + 1]) || ((cp[i + 1] === '+' || cp[i + 1] === '-') && isDigit(cp[i + 2])))
  ) {
    isDouble = true;
    i += 2;
    while (isDigit(cp[i])) i++;
  }
  const text = cp.slice(start, i).join('');
  if (isDouble) {
    tokens.push({ kind: 'double', text, offset: start });
    return i;
  }
  if (cp[i] === 'u' || cp[i] === 'U') {
    tokens.push({ kind: 'uint', text, offset: start });
    return i + 1;
  }
  tokens.push({ kind: 'int', text, offset: start });
  return i;
}

function readString(cp: string[], j: number, raw: boolean, isBytes: boolean, tokens: Token[], start: number): number {
  const q = cp[j]!;
  const triple = cp[j + 1] === q && cp[j + 2] === q;
  let i = j + (triple ? 3 : 1);
  // Bytes literals are sequences of octets; string literals sequences of code points.
  const out: number[] = [];
  const push = (codePoint: number) => {
    if (isBytes) out.push(...new TextEncoder().encode(String.fromCodePoint(codePoint)));
    else out.push(codePoint);
  };
  for (;;) {
    const c = cp[i];
    if (c === undefined) throw new SyntaxError_('unterminated string literal', start);
    if (triple ? c === q && cp[i + 1] === q && cp[i + 2] === q : c === q) {
      i += triple ? 3 : 1;
      break;
    }
    if (!triple && (c === '\n' || c === '\r')) throw new SyntaxError_('newline in string literal', start);
    if (c === '\\' && !raw) {
      const e = cp[i + 1];
      const simple: Record<string, number> = {
        a: 7,
        b: 8,
        f: 12,
        n: 10,
        r: 13,
        t: 9,
        v: 11,
        '\\': 92,
        "'": 39,
        '"': 34,
        '`': 96,
        '?': 63,
      };
      if (e !== undefined && e in simple) {
        push(simple[e]!);
        i += 2;
        continue;
      }
      if (e === 'x' || e === 'X') {
        const h = cp.slice(i + 2, i + 4).join('');
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new SyntaxError_('invalid escape sequence', i);
        if (isBytes) out.push(parseInt(h, 16));
        else push(parseInt(h, 16));
        i += 4;
        continue;
      }
      if (e === 'u' || e === 'U') {
        if (isBytes) throw new SyntaxError_('invalid escape sequence', i);
        const n = e === 'u' ? 4 : 8;
        const h = cp.slice(i + 2, i + 2 + n).join('');
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new SyntaxError_('invalid escape sequence', i);
        const v = parseInt(h, 16);
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new SyntaxError_('invalid unicode code point', i);
        push(v);
        i += 2 + n;
        continue;
      }
      if (e !== undefined && e >= '0' && e <= '3') {
        const o = cp.slice(i + 1, i + 4).join('');
        if (!/^[0-7]{3}$/.test(o)) throw new SyntaxError_('invalid escape sequence', i);
        if (isBytes) out.push(parseInt(o, 8));
        else push(parseInt(o, 8));
        i += 4;
        continue;
      }
      throw new SyntaxError_('invalid escape sequence', i);
    }
    push(c.codePointAt(0)!);
    i++;
  }
  const text = cp.slice(start, i).join('');
  if (isBytes) tokens.push({ kind: 'bytes', text, offset: start, bytes: Uint8Array.from(out) });
  else tokens.push({ kind: 'string', text, offset: start, str: String.fromCodePoint(...out) });
  return i;
}
