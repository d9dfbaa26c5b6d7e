import { describe, expect, it } from 'vitest';
import { OutputPacer } from './outputPacer.ts';

/** A terminal that parses only when told to, like xterm.js between its time slices. */
function fakeTerminal() {
  const written: number[] = [];
  const pendingCallbacks: Array<() => void> = [];
  const events: string[] = [];
  return {
    written,
    events,
    deliver: (chunk: Uint8Array) => written.push(...chunk),
    afterParsed: (cb: () => void) => pendingCallbacks.push(cb),
    pause: () => events.push('pause'),
    resume: () => events.push('resume'),
    parseAll() {
      while (pendingCallbacks.length > 0) pendingCallbacks.shift()?.();
    },
    parseOne() {
      pendingCallbacks.shift()?.();
    },
  };
}

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('OutputPacer', () => {
  it('hands output over at once while the terminal keeps up (no batching delay for echoes)', () => {
    const term = fakeTerminal();
    const pacer = new OutputPacer({ ...term, highWater: 10, lowWater: 4 });
    pacer.push(bytes(3, 1));
    expect(term.written).toEqual([1, 1, 1]);
    expect(pacer.unparsedBytes).toBe(3);
    term.parseAll();
    expect(pacer.unparsedBytes).toBe(0);
    expect(term.events).toEqual([]);
  });

  it('queues above the high-water mark, pauses the transport, and drains in order below the low-water mark', () => {
    const term = fakeTerminal();
    const pacer = new OutputPacer({ ...term, highWater: 10, lowWater: 4 });
    pacer.push(bytes(6, 1));
    pacer.push(bytes(6, 2)); // 6 unparsed < 10: handed over
    pacer.push(bytes(6, 3)); // 12 unparsed: queued
    pacer.push(bytes(6, 4));
    expect(term.written.length).toBe(12);
    expect(pacer.queuedBytes).toBe(12);
    expect(term.events).toEqual(['pause']);

    term.parseOne(); // 6 unparsed: above low water, nothing moves
    expect(term.written.length).toBe(12);
    term.parseOne(); // 0 unparsed: drain until high water
    expect(term.written.length).toBe(24);
    expect(term.events).toEqual(['pause', 'resume']);
    term.parseAll();
    expect(term.written).toEqual([...bytes(6, 1), ...bytes(6, 2), ...bytes(6, 3), ...bytes(6, 4)]);
    expect(pacer.deliveredBytes).toBe(24);
  });

  it('never holds more than highWater + one chunk unparsed, however fast output arrives', () => {
    const term = fakeTerminal();
    const pacer = new OutputPacer({ ...term, highWater: 1000, lowWater: 100 });
    let maxUnparsed = 0;
    for (let i = 0; i < 500; i++) {
      pacer.push(bytes(97, i % 256));
      maxUnparsed = Math.max(maxUnparsed, pacer.unparsedBytes);
      if (i % 7 === 0) term.parseOne();
    }
    term.parseAll();
    while (pacer.queuedBytes > 0) term.parseAll();
    expect(maxUnparsed).toBeLessThan(1000 + 97);
    expect(term.written.length).toBe(500 * 97);
    expect(pacer.deliveredBytes).toBe(500 * 97);
  });

  it('whenIdle resolves after the last byte is parsed', async () => {
    const term = fakeTerminal();
    const pacer = new OutputPacer({ ...term, highWater: 4, lowWater: 0 });
    pacer.push(bytes(5, 1));
    pacer.push(bytes(5, 2));
    let idle = false;
    const done = pacer.whenIdle().then(() => (idle = true));
    term.parseOne();
    await Promise.resolve();
    expect(idle).toBe(false);
    term.parseAll();
    await done;
    expect(idle).toBe(true);
  });

  it('ignores empty chunks and refuses a low-water mark above the high-water mark', () => {
    const term = fakeTerminal();
    const pacer = new OutputPacer({ ...term });
    pacer.push(new Uint8Array(0));
    expect(term.written).toEqual([]);
    expect(() => new OutputPacer({ ...term, highWater: 1, lowWater: 2 })).toThrow(/lowWater/);
  });
});
