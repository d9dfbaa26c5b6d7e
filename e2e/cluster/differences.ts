// The bookkeeping the differential suites share: the known-differences file (every difference between Porthole and
// the real apiserver listed with why; a listed one that agrees again fails too), the per-case check, and the report
// printed after a suite.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export interface KnownDifference {
  /** What the apiserver answers, exactly as the suite prints it. */
  apiserver: string;
  why: string;
}

/** `<id> TAB <what the apiserver says> TAB <why we differ>` per line; `#` comments and blank lines skipped. */
export function readKnownDifferences(file: string): Map<string, KnownDifference> {
  const name = path.basename(file);
  const known = new Map<string, KnownDifference>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [id, apiserver, why] = line.split('\t');
    if (!id || apiserver === undefined || !why) throw new Error(`${name}: bad line: ${line}`);
    if (known.has(id)) throw new Error(`${name}: ${id} is listed twice`);
    known.set(id, { apiserver, why });
  }
  return known;
}

/** One case as both sides answered it, each answer on one line. */
export interface Compared {
  id: string;
  apiserver: string;
  ours: string;
  agrees: boolean;
}

/** Newlines escaped, so an answer stays on one line of the known-differences file. */
export const oneLine = (text: string): string => text.replace(/\n/g, '\\n');

/**
 * Passes when the case agrees and is not listed, or differs exactly as listed (the apiserver's answer unchanged).
 * `ours` names our side in messages (`src/cel`, `ours`...).
 */
export function expectAgreedOrListed(c: Compared, known: Map<string, KnownDifference>, file: string, ours: string) {
  const name = path.basename(file);
  const listed = known.get(c.id);
  if (c.agrees) {
    expect(listed, `${c.id} agrees now: remove it from ${name}`).toBeUndefined();
    return;
  }
  const label = `${ours}:`.padEnd(11);
  expect(
    listed,
    `${c.id} differs and is not in ${name}:\n  apiserver: ${oneLine(c.apiserver)}\n  ${label}${oneLine(c.ours)}`,
  ).toBeDefined();
  expect(oneLine(c.apiserver), `${c.id}: the apiserver's answer changed from the listed one`).toBe(listed!.apiserver);
}

/**
 * The summary printed after a suite: `asked / agreed / differed (listed) / not expressible`, each difference with
 * both answers, and each case not asked with why.
 */
export function differenceReport(o: {
  title: string;
  rows: Compared[];
  known: Map<string, KnownDifference>;
  notExpressible: Record<string, string>;
  ours: string;
  /** Extra counts after the agreed number, e.g. per kind. */
  detail?: string;
}): string {
  const differed = o.rows.filter((r) => !r.agrees);
  const label = `${o.ours}:`.padEnd(11);
  return [
    `\n${o.title}: asked ${o.rows.length} / agreed ${o.rows.length - differed.length}` +
      `${o.detail ? ` (${o.detail})` : ''} / differed ${differed.length} ` +
      `(listed ${differed.filter((r) => o.known.has(r.id)).length}) / not expressible ` +
      `${Object.keys(o.notExpressible).length}`,
    ...differed.map((r) => `  ${r.id}\n    apiserver: ${oneLine(r.apiserver)}\n    ${label}${oneLine(r.ours)}`),
    ...Object.entries(o.notExpressible).map(([id, why]) => `  not expressible: ${id}: ${why}`),
  ].join('\n');
}
