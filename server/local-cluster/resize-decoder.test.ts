// The resize channel decoder: streaming, case-insensitive, uint16, and stopping for good on the first bad value.
import { describe, expect, it } from 'vitest';
import { ResizeDecoder } from './resize-decoder.ts';

const feed = (...chunks: string[]) => {
  const decoder = new ResizeDecoder();
  const sizes = chunks.flatMap((c) => decoder.push(Buffer.from(c)));
  return { sizes, error: decoder.error };
};

describe('ResizeDecoder', () => {
  it.each([
    ["kubectl's message", ['{"Width":100,"Height":30}\n'], [{ width: 100, height: 30 }]],
    ['lower-case keys', ['{"width":80,"height":24}'], [{ width: 80, height: 24 }]],
    ['one object across messages', ['{"Wid', 'th":1', '20,"Height":40}'], [{ width: 120, height: 40 }]],
    [
      'two objects in one message',
      ['{"Width":1,"Height":2}{"Width":3,"Height":4}'],
      [
        { width: 1, height: 2 },
        { width: 3, height: 4 },
      ],
    ],
    ['unknown keys and a missing one', ['{"Width":5,"Depth":9}'], [{ width: 5, height: 0 }]],
    ['null', ['null '], [{ width: 0, height: 0 }]],
  ])('decodes %s', (_name, chunks, sizes) => {
    expect(feed(...chunks)).toEqual({ sizes, error: null });
  });

  it.each([
    ['a negative value', '{"Width":-1,"Height":2}'],
    ['a value above 65535', '{"Width":65536,"Height":2}'],
    ['a fraction', '{"Width":1.5,"Height":2}'],
    ['a string', '{"Width":"80","Height":2}'],
    ['malformed JSON', '{"Width":80,,}'],
    ['an array', '[80,24]'],
  ])('stops for good on %s', (_name, bad) => {
    const { sizes, error } = feed('{"Width":1,"Height":1}', bad, '{"Width":2,"Height":2}');
    expect(sizes).toEqual([{ width: 1, height: 1 }]);
    expect(error).not.toBeNull();
  });
});
