// Where each character of a YAML string value sits in the YAML text, so that a CEL error at offset N of
// `expression: "a && b"` (or of a `|` block) becomes an editor marker at the right line and column of the YAML.
// The map is rebuilt by scanning the scalar's source with YAML's folding and escaping rules, then checked
// against the value the YAML parser produced: if the two disagree (an exotic form), there is no map and the
// caller marks the whole scalar instead of a wrong place.

import type { Scalar } from 'yaml';

/** `offsets[i]` is the index in `source` of value character `i` (UTF-16 units); one extra entry marks the end. */
export function scalarOffsets(source: string, node: Scalar): number[] | undefined {
  const range = node.range;
  if (!range || typeof node.value !== 'string') return undefined;
  const [start, end] = range;
  let mapped: { value: string; offsets: number[] } | undefined;
  switch (node.type) {
    case 'QUOTE_DOUBLE':
      mapped = flow(source, start + 1, end - 1, 'double');
      break;
    case 'QUOTE_SINGLE':
      mapped = flow(source, start + 1, end - 1, 'single');
      break;
    case 'PLAIN':
      mapped = flow(source, start, end, 'plain');
      break;
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      mapped = block(source, start, end, node.type === 'BLOCK_FOLDED');
      break;
  }
  if (!mapped || mapped.value !== node.value) return undefined;
  return mapped.offsets;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/** Plain and quoted scalars: line breaks fold to a space (or to n-1 newlines after empty lines). */
function flow(source: string, from: number, to: number, style: 'plain' | 'single' | 'double') {
  let value = '';
  const offsets: number[] = [];
  const emit = (text: string, at: number) => {
    for (let k = 0; k < text.length; k++) offsets.push(at);
    value += text;
  };
  let i = from;
  while (i < to) {
    const c = source[i]!;
    if (c === '\n' || c === '\r') {
      // Trailing white space of the line is not content.
      while (
        value.length > 0 &&
        (value.endsWith(' ') || value.endsWith('\t')) &&
        offsets.at(-1)! >= lineStart(source, i)
      ) {
        value = value.slice(0, -1);
        offsets.pop();
      }
      let breaks = 0;
      const at = i;
      while (i < to && /[\s]/.test(source[i]!)) {
        if (source[i] === '\n') breaks++;
        i++;
      }
      emit(breaks > 1 ? '\n'.repeat(breaks - 1) : ' ', at);
      continue;
    }
    if (style === 'single' && c === "'" && source[i + 1] === "'") {
      emit("'", i);
      i += 2;
      continue;
    }
    if (style === 'double' && c === '\\') {
      const e = source[i + 1] ?? '';
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hex) {
        emit(String.fromCodePoint(parseInt(source.slice(i + 2, i + 2 + hex), 16)), i);
        i += 2 + hex;
      } else if (e === '\n' || e === '\r') {
        // An escaped line break joins the lines without a space.
        i += 1;
        while (i < to && /\s/.test(source[i]!)) i++;
      } else if (e in SIMPLE_ESCAPES) {
        emit(SIMPLE_ESCAPES[e]!, i);
        i += 2;
      } else return undefined;
      continue;
    }
    emit(c, i);
    i++;
  }
  offsets.push(to);
  return { value, offsets };
}

function lineStart(source: string, i: number): number {
  return source.lastIndexOf('\n', i - 1) + 1;
}

/** `|` and `>` blocks: content lines with the block's indentation removed; `>` folds single line breaks. */
function block(source: string, from: number, to: number, folded: boolean) {
  const headerEnd = source.indexOf('\n', from);
  if (headerEnd < 0 || headerEnd >= to) return { value: '', offsets: [to] };
  const header = source
    .slice(from, headerEnd)
    .replace(/\s+#.*$/, '')
    .trim();
  const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
  const explicit = /\d/.exec(header);
  const lines: { at: number; text: string }[] = [];
  let at = headerEnd + 1;
  while (at < to) {
    let lineEnd = source.indexOf('\n', at);
    if (lineEnd < 0 || lineEnd > to) lineEnd = to;
    lines.push({ at, text: source.slice(at, lineEnd).replace(/\r$/, '') });
    at = lineEnd + 1;
  }
  const firstContent = lines.find((l) => l.text.trim() !== '');
  const indent = explicit
    ? lineIndent(source, from) + Number(explicit[0])
    : firstContent
      ? firstContent.text.length - firstContent.text.trimStart().length
      : 0;
  let value = '';
  const offsets: number[] = [];
  let previousMoreIndented = true;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const content = line.text.slice(indent);
    const isEmpty = line.text.trim() === '';
    const moreIndented = content.startsWith(' ') || content.startsWith('\t');
    if (n > 0) {
      const lineBreakAt = line.at - 1;
      const prevEmpty = lines[n - 1]!.text.trim() === '';
      // Folding: a single break between two normal lines becomes a space; otherwise breaks stay.
      if (folded && !isEmpty && !moreIndented && !previousMoreIndented && !prevEmpty) {
        value += ' ';
        offsets.push(lineBreakAt);
      } else if (!(folded && prevEmpty && !isEmpty && !moreIndented && n >= 2 && isFoldStart(lines, n, indent))) {
        value += '\n';
        offsets.push(lineBreakAt);
      }
    }
    if (!isEmpty) previousMoreIndented = moreIndented;
    for (let k = 0; k < content.length; k++) {
      value += content[k];
      offsets.push(line.at + indent + k);
    }
  }
  // Chomping: the final line break and trailing empty lines.
  const trimmed = value.replace(/\n*$/, '');
  const trailing = value.length - trimmed.length;
  if (chomp === 'strip' || trimmed === '') {
    value = trimmed;
    offsets.length = trimmed.length;
  } else if (chomp === 'clip') {
    value = trimmed + '\n';
    offsets.length = trimmed.length;
    offsets.push(to);
  } else {
    value = trimmed + '\n'.repeat(trailing + 1);
    offsets.length = trimmed.length;
    for (let k = 0; k <= trailing; k++) offsets.push(to);
  }
  offsets.push(to);
  return { value, offsets };
}

/** In a folded block, the break before a run of empty lines is dropped when normal lines surround the run. */
function isFoldStart(lines: { text: string }[], n: number, indent: number): boolean {
  let k = n - 1;
  while (k >= 0 && lines[k]!.text.trim() === '') k--;
  if (k < 0) return false;
  const before = lines[k]!.text.slice(indent);
  return !(before.startsWith(' ') || before.startsWith('\t'));
}

function lineIndent(source: string, i: number): number {
  const start = lineStart(source, i);
  let n = 0;
  while (source[start + n] === ' ') n++;
  return n;
}
