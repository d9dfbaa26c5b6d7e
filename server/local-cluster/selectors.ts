// labelSelector and fieldSelector for list requests, with the apiserver's wording for what it rejects.
import { badRequest } from './status.ts';

export type Matcher = (labels: Record<string, string>) => boolean;

/** Splits on commas outside parentheses (`env in (a,b),tier=web`). */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of selector) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

export function parseLabelSelector(selector: string | null): Matcher {
  if (!selector) return () => true;
  const checks: Matcher[] = terms(selector).map((term) => {
    let m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    m = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(term);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim());
      return op === 'in'
        ? (l) => l[key] !== undefined && values.includes(l[key])
        : (l) => l[key] === undefined || !values.includes(l[key]);
    }
    m = /^(!?)([^\s!=(),]+)$/.exec(term);
    if (m) {
      const [, not, key] = m as unknown as [string, string, string];
      return not ? (l) => !(key in l) : (l) => key in l;
    }
    // The apiserver's lexer reads a key, then wants an operator: name the token it found instead.
    const tokens = term.split(/\s+/);
    if (tokens.length > 1 && /^[^\s!=(),]+$/.test(tokens[0]!)) {
      throw badRequest(`unable to parse requirement: found '${tokens[1]}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    throw badRequest(`unable to parse requirement: found '${term}', expected: identifier`);
  });
  return (labels) => checks.every((check) => check(labels));
}

export function parseFieldSelector(
  selector: string | null,
  supported: string[],
): (fields: Record<string, string>) => boolean {
  if (!selector) return () => true;
  const checks = terms(selector).map((term) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, key, op, value] = m as unknown as [string, string, string, string];
    if (!supported.includes(key)) throw badRequest(`field label not supported: ${key}`);
    return (f: Record<string, string>) => (op === '!=' ? f[key] !== value : f[key] === value);
  });
  return (fields) => checks.every((check) => check(fields));
}
