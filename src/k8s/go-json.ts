// Go's encoding/json syntax check and fmt's %q, so that protocol errors read exactly as kubectl prints them
// (kubectl: `error stream protocol error: invalid character 'h' in literal true (expecting 'r') in "this is not
// json"`). Written from the documented behaviour of Go's JSON scanner; it validates, it does not parse.

/** Returns Go's SyntaxError message for the first syntax error in `input`, or null when it is valid JSON. */
export function goJsonSyntaxError(input: Uint8Array): string | null {
  let i = 0;
  const end = input.length;
  class Stop {
    constructor(readonly message: string) {}
  }
  const unexpectedEnd = () => new Stop('unexpected end of JSON input');
  // At the end of input Go's scanner is fed one space: inside a literal, a number or an escape, that space is
  // the invalid character; anywhere else the input simply ended.
  const invalid = (context: string) => new Stop(`invalid character ${quoteChar(input[i] ?? 0x20)} ${context}`);
  const skipSpace = () => {
    while (i < end && (input[i] === 0x20 || input[i] === 0x09 || input[i] === 0x0a || input[i] === 0x0d)) i++;
  };
  const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
  const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (input[i] !== word.charCodeAt(k))
        throw invalid(`in literal ${word} (expecting ${quoteChar(word.charCodeAt(k))})`);
    }
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= end) throw unexpectedEnd();
      const c = input[i]!;
      if (c === 0x22) return void i++;
      if (c < 0x20) throw invalid('in string literal');
      if (c === 0x5c) {
        i++;
        const e = input[i] ?? 0x20;
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!isHex(input[i] ?? 0x20)) throw invalid('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          throw invalid('in string escape code');
        }
      }
      i++;
    }
  };
  const number = () => {
    if (input[i] === 0x2d) {
      i++;
      if (!isDigit(input[i])) throw invalid('in numeric literal');
    }
    if (input[i] === 0x30) i++;
    else while (isDigit(input[i])) i++;
    if (input[i] === 0x2e) {
      i++;
      if (!isDigit(input[i])) throw invalid('after decimal point in numeric literal');
      while (isDigit(input[i])) i++;
    }
    if (input[i] === 0x65 || input[i] === 0x45) {
      i++;
      if (input[i] === 0x2b || input[i] === 0x2d) i++;
      if (!isDigit(input[i])) throw invalid('in exponent of numeric literal');
      while (isDigit(input[i])) i++;
    }
    // A number at the very end of a nested value is reported by the caller as unexpected end.
  };
  const value = (): void => {
    skipSpace();
    if (i >= end) throw unexpectedEnd();
    const c = input[i]!;
    if (c === 0x7b) return object();
    if (c === 0x5b) return array();
    if (c === 0x22) return string();
    if (c === 0x2d || isDigit(c)) return number();
    if (c === 0x74) return literal('true');
    if (c === 0x66) return literal('false');
    if (c === 0x6e) return literal('null');
    throw invalid('looking for beginning of value');
  };
  const object = () => {
    i++;
    skipSpace();
    if (i >= end) throw unexpectedEnd();
    if (input[i] === 0x7d) return void i++;
    for (;;) {
      skipSpace();
      if (i >= end) throw unexpectedEnd();
      if (input[i] !== 0x22) throw invalid('looking for beginning of object key string');
      string();
      skipSpace();
      if (i >= end) throw unexpectedEnd();
      if (input[i] !== 0x3a) throw invalid('after object key');
      i++;
      value();
      skipSpace();
      if (i >= end) throw unexpectedEnd();
      if (input[i] === 0x7d) return void i++;
      if (input[i] !== 0x2c) throw invalid('after object key:value pair');
      i++;
    }
  };
  const array = () => {
    i++;
    skipSpace();
    if (i >= end) throw unexpectedEnd();
    if (input[i] === 0x5d) return void i++;
    for (;;) {
      value();
      skipSpace();
      if (i >= end) throw unexpectedEnd();
      if (input[i] === 0x5d) return void i++;
      if (input[i] !== 0x2c) throw invalid('after array element');
      i++;
    }
  };

  try {
    value();
    skipSpace();
    if (i < end) throw invalid('after top-level value');
    return null;
  } catch (e) {
    if (e instanceof Stop) return e.message;
    throw e;
  }
}

// Go's scanner quotes the offending byte: '\'' for a quote, '"' as is, otherwise strconv.Quote of that byte
// read as a code point, without the surrounding double quotes.
function quoteChar(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return "'\"'";
  const quoted = goQuote(String.fromCharCode(byte));
  return `'${quoted.slice(1, -1)}'`;
}

/** Go's `%q` / strconv.Quote for a string: double-quoted, with Go's escapes for non-printable characters. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c === 0x07) out += '\\a';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0b) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    // strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space only.
    else if (c !== 0x20 && /[\p{Z}\p{C}]/u.test(ch)) {
      out += c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}
