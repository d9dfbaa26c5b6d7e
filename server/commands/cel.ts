// `porthole cel --input FILE`: evaluates one CEL expression as kube-apiserver would and prints one JSON object,
// `{"value": ..., "type": ..., "cost": ...}` or `{"error": "...", "cost": ...}`. FILE (JSON or YAML) holds
// {expression, env: "authn"|"validation"|"mutation"|"matchCondition", version, vars, variables}.
// Exit code: 0 value, 1 CEL error (compile or runtime), 2 bad usage or unreadable input.

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { runCelRequest, type CelRequest } from '../../src/cel/run.ts';
import { parseInputFlag } from './input-flag.ts';

const USAGE = 'usage: porthole cel --input FILE   (FILE: JSON or YAML {expression, env, version, vars, variables})';

export async function celCommand(argv: string[]): Promise<number> {
  const flag = parseInputFlag(argv, USAGE);
  if ('help' in flag) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ('error' in flag) {
    process.stdout.write(`${JSON.stringify({ error: flag.error })}\n`);
    return 2;
  }
  const input = flag.file;
  let request: CelRequest;
  try {
    const text = await readFile(input, 'utf8');
    // YAML is a superset of JSON; integers are read as bigint so int64 values stay exact.
    const doc: unknown = parseYaml(text, { intAsBigInt: true });
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('the input must be a mapping');
    request = doc as CelRequest;
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: `reading ${input}: ${(e as Error).message}` })}\n`);
    return 2;
  }
  const result = runCelRequest({
    ...request,
    costLimit: request.costLimit === undefined ? undefined : Number(request.costLimit),
  } as CelRequest);
  process.stdout.write(`${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  if ('value' in result) return 0;
  return result.error.startsWith('input:') ? 2 : 1;
}
