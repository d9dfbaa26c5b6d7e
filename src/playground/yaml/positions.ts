// Positions in editor terms: 1-based line and 1-based column counted in UTF-16 units, as Monaco counts them.

export interface SourceRange {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export function rangeOf(text: string, from: number, to: number): SourceRange {
  const a = lineColumnOf(text, from);
  const b = lineColumnOf(text, Math.max(to, from));
  return { startLineNumber: a.line, startColumn: a.column, endLineNumber: b.line, endColumn: b.column };
}

/** The UTF-16 index of code point `n` of `text` (CEL counts offsets in code points). */
export function utf16IndexOf(text: string, codePoint: number): number {
  let index = 0;
  for (let n = 0; n < codePoint && index < text.length; n++) {
    index += (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  }
  return index;
}
