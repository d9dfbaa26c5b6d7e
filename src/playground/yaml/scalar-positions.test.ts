import { describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument, type Scalar } from 'yaml';
import { scalarOffsets } from './scalar-positions.ts';

/** The `expression` scalar of a one-key document. */
function expressionNode(source: string): Scalar {
  const doc = parseDocument(source);
  if (!isMap(doc.contents)) throw new Error('not a map');
  const node = doc.contents.get('expression', true);
  if (!isScalar(node)) throw new Error('not a scalar');
  return node;
}

/** The source text under each value character must be that character (for the characters that are literal). */
function expectFaithful(source: string, literal: RegExp = /[a-z&|(]/) {
  const node = expressionNode(source);
  const offsets = scalarOffsets(source, node);
  expect(offsets, 'the map was rebuilt').toBeDefined();
  const value = node.value as string;
  expect(offsets!.length).toBe(value.length + 1);
  for (let i = 0; i < value.length; i++) {
    if (literal.test(value[i]!)) expect(source[offsets![i]!], `value[${i}] = ${value[i]}`).toBe(value[i]);
  }
  return { value, offsets: offsets! };
}

describe('where a YAML string value’s characters are in the YAML text', () => {
  it.each([
    ['plain', 'expression: a && b\n'],
    ['double-quoted', 'expression: "a && b"\n'],
    ['single-quoted', "expression: 'a && b'\n"],
    ['plain over two lines', 'expression: a &&\n  b || c\n'],
    ['double-quoted with escapes', 'expression: "a \\"x\\" \\u00e9 \\t b"\n'],
    ['single-quoted with a doubled quote', "expression: 'a == ''x'' && b'\n"],
    ['double-quoted over lines with an escaped break', 'expression: "a &&\\\n  b"\n'],
    ['literal block', 'expression: |\n  a &&\n    b\n  c\n'],
    ['literal block, stripped', 'expression: |-\n  a &&\n  b\nother: 1\n'],
    ['literal block, kept', 'expression: |+\n  a\n\n\nother: 1\n'],
    ['folded block', 'expression: >\n  a &&\n  b\n\n  c\n'],
    ['folded block with a more-indented line', 'expression: >-\n  a\n    b\n  c\n'],
    ['nested in a list', 'expression: |\n      a(\n        b)\n'],
    ['astral characters', 'expression: "😀 && a"\n'],
  ])('%s', (_name, source) => {
    expectFaithful(source);
  });

  it('maps a character inside a block to its line and column', () => {
    const source = 'expression: |\n  object.x &&\n    bad(\n';
    const { value, offsets } = expectFaithful(source);
    const at = offsets[value.indexOf('bad')]!;
    expect(source.slice(at, at + 3)).toBe('bad');
  });

  it('gives no map rather than a wrong one for something it does not model', () => {
    const node = expressionNode('expression: !!str 12\n');
    // A tagged plain scalar still maps (the tag is outside the value range).
    expect(scalarOffsets('expression: !!str 12\n', node)).toBeDefined();
    const fake = { ...node, value: 'not the value', range: node.range, type: node.type } as Scalar;
    expect(scalarOffsets('expression: !!str 12\n', fake)).toBeUndefined();
  });
});
