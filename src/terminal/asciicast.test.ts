import { describe, expect, it } from 'vitest';
import { parseAsciicast } from './asciicast.ts';

describe('parseAsciicast', () => {
  it('reads the header, output and resize events, in time order', () => {
    const cast = [
      '{"version":2,"width":80,"height":24,"title":"exec c/default/p"}',
      '[0.5,"o","$ "]',
      '[0.25,"r","100x30"]',
      '[1.0,"i","ls\\r"]',
      '',
    ].join('\n');
    expect(parseAsciicast(cast)).toEqual({
      ok: true,
      header: { version: 2, width: 80, height: 24, title: 'exec c/default/p' },
      events: [
        { at: 0.25, kind: 'r', cols: 100, rows: 30 },
        { at: 0.5, kind: 'o', text: '$ ' },
      ],
      durationSeconds: 0.5,
    });
  });
  it.each([
    ['an empty file', '', 'line 1: not an asciicast header (JSON)'],
    ['version 1', '{"version":1,"width":80,"height":24}', 'line 1: only asciicast version 2 can be replayed'],
    ['no size', '{"version":2}', 'line 1: the header needs a positive integer width and height'],
    ['a broken event', '{"version":2,"width":80,"height":24}\n[0.1,"o"', 'line 2: not JSON'],
    [
      'an event of the wrong shape',
      '{"version":2,"width":80,"height":24}\n{"o":1}',
      'line 2: an event is [seconds, kind, data]',
    ],
  ])('%s: a message naming the line', (_, text, message) =>
    expect(parseAsciicast(text)).toEqual({ ok: false, message }),
  );
});
