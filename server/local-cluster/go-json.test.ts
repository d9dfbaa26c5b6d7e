// Go's encoding/json string escaping, which byte-exact Status payloads depend on.
import { describe, expect, it } from 'vitest';
import { goJson } from './go-json.ts';

describe('goJson', () => {
  it.each([
    ['HTML-sensitive characters', 'a<b>&c', '"a\\u003cb\\u003e\\u0026c"'],
    ['line and paragraph separators', '\u2028\u2029', '"\\u2028\\u2029"'],
    ['control characters', '\n\t\u0001', '"\\n\\t\\u0001"'],
    ['quotes and backslashes', '"\\', '"\\"\\\\"'],
    ['non-ASCII text as is', 'é€', '"é€"'],
  ])('escapes %s as Go does', (_name, input, expected) => {
    expect(goJson(input)).toBe(expected);
  });

  it('keeps object key order', () => {
    expect(goJson({ metadata: {}, status: 'Success' })).toBe('{"metadata":{},"status":"Success"}');
  });
});
