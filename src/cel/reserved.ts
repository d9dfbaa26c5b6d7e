// The identifiers CEL reserves (cel-spec lexis): the parser refuses them, and the editor's grammar marks them.
// A module of its own, so the editor can name them without bundling the parser.

export const RESERVED_WORDS: readonly string[] = [
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
];
