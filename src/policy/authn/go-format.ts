// The few Go formatting rules kube-apiserver's messages depend on: %q quoting, %#v and JSON for bad values in
// field errors, []string printed with %q, and time.Time.String() in UTC.

/** Go's strconv.Quote (as %q prints strings): printable Unicode kept, control characters escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else if ((c >= 0x80 && c < 0xa0) || c === 0xad || c === 0xfeff || (c >= 0x2028 && c <= 0x2029))
      out += c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** Go time.Time.String() of a Unix time in UTC: `2009-11-10 23:00:00 +0000 UTC` (fractions when present). */
export function goTimeString(unixSeconds: number): string {
  if (unixSeconds === GO_ZERO_TIME) return '0001-01-01 00:00:00 +0000 UTC';
  const whole = Math.floor(unixSeconds);
  const d = new Date(whole * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = unixSeconds - whole;
  const fracText = frac ? '.' + frac.toFixed(9).slice(2).replace(/0+$/, '') : '';
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fracText} +0000 UTC`
  );
}

/** Marks Go's zero time.Time (a missing `exp`). */
export const GO_ZERO_TIME = Number.NEGATIVE_INFINITY;
