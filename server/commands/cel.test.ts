// The `porthole cel` subcommand end to end: a JSON and a YAML input file, a runtime error and bad usage.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { celCommand } from './cel.ts';

const dir = mkdtempSync(join(tmpdir(), 'porthole-cel-'));

async function run(file: string, content: string): Promise<{ code: number; out: unknown }> {
  const path = join(dir, file);
  writeFileSync(path, content);
  let printed = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  try {
    const code = await celCommand(['--input', path]);
    return { code, out: JSON.parse(printed) as unknown };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('porthole cel', () => {
  it('evaluates a JSON request and prints value, type and cost', async () => {
    const r = await run(
      'a.json',
      JSON.stringify({
        expression: 'object.spec.replicas + 1',
        env: 'mutation',
        version: '1.34',
        vars: { object: { spec: { replicas: 3 } } },
      }),
    );
    expect(r).toEqual({ code: 0, out: { value: 4, type: 'int', cost: 4 } });
  });
  it('reads YAML, with int64 values kept exact', async () => {
    const r = await run(
      'b.yaml',
      'expression: "object.n + 1"\nenv: validation\nversion: "1.30"\nvars:\n  object:\n    n: 9223372036854775806\n',
    );
    expect(r.code).toBe(1);
    expect(r.out).toEqual({ error: 'must evaluate to bool but got int', compileError: true });
    const ok = await run(
      'c.yaml',
      'expression: "object.n + 1 == 9223372036854775807"\nenv: validation\nvars:\n  object:\n    n: 9223372036854775806\n',
    );
    expect(ok.out).toMatchObject({ value: true });
  });
  it('prints a runtime error with exit code 1', async () => {
    const r = await run(
      'd.json',
      JSON.stringify({ expression: 'claims.hd == "example.com"', env: 'authn', vars: { claims: { sub: 'x' } } }),
    );
    expect(r).toEqual({ code: 1, out: { error: 'no such key: hd', cost: 2 } });
  });
  it('rejects an unsupported version with exit code 2', async () => {
    const r = await run('e.json', JSON.stringify({ expression: '1', env: 'validation', version: '1.29' }));
    expect(r.code).toBe(2);
    expect(r.out).toEqual({
      error: 'input: unsupported Kubernetes version "1.29" (supported: 1.30, 1.31, 1.32, 1.33, 1.34)',
    });
  });
});
