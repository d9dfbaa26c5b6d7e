// `porthole authn --input FILE`: one request in the shape of an authn vector (JSON or YAML) → one JSON object,
// {"valid": true} | {"user": {...}, "effectiveUser": {...}} | {"authenticated": false} | {"stage": "...", "error": "..."}.
// FILE: {kind: load|validate|authenticate, version, configText | config, claims [+ tokenHeader] | token + jwks,
// now, serviceAccountIssuers, trace}. A vector copied from authn-vectors.json runs as is (its id, expect, … are
// ignored, its `$generate` shorthand is expanded). Exit code: 0 valid or authenticated, 1 a load/validate/
// authenticate verdict that is not, 2 bad usage or an unusable input file.

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { runAuthnRequest, type AuthnRequest, type AuthnResponse } from '../../src/policy/authn/run.ts';
import { VERSIONS } from '../../src/policy/authn/types.ts';
import { requestFor, type Vector } from '../../src/policy/authn/vectors.ts';
import { parseInputFlag } from './input-flag.ts';

const USAGE =
  'usage: porthole authn --input FILE   (FILE: JSON or YAML {kind, version, configText|config, claims|token+jwks, now, serviceAccountIssuers})';

const FIELDS = [
  'kind',
  'version',
  'configText',
  'config',
  'token',
  'jwks',
  'claims',
  'tokenHeader',
  'now',
  'serviceAccountIssuers',
  'context',
  'trace',
];
/** A vector's bookkeeping: accepted so that a vector file runs unchanged, and not used. */
const VECTOR_METADATA = ['id', 'versions', 'confidence', 'source', 'expect', 'note', 'notes'];

class InputError extends Error {}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function shown(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`;
}

/** Checks the input document field by field and turns it into a request; throws InputError naming the field. */
export function requestFromInput(doc: unknown): AuthnRequest {
  if (!isMapping(doc)) throw new InputError(`the input must be a mapping (one vector), not ${shown(doc)}`);
  for (const k of Object.keys(doc))
    if (!FIELDS.includes(k) && !VECTOR_METADATA.includes(k))
      throw new InputError(`unknown field "${k}" (known: ${FIELDS.join(', ')})`);
  const { kind, version, configText, config, token, jwks, claims, tokenHeader, now } = doc;
  if (kind === undefined) throw new InputError('"kind" is required: load, validate or authenticate');
  if (kind !== 'load' && kind !== 'validate' && kind !== 'authenticate')
    throw new InputError(`"kind" must be load, validate or authenticate, not ${shown(kind)}`);
  if (version !== undefined && typeof version !== 'string')
    throw new InputError(
      `"version" must be a string such as "1.34", not ${shown(version)}${typeof version === 'number' ? ' (quote it: YAML reads 1.30 as the number 1.3)' : ''}`,
    );
  if (version !== undefined && !(VERSIONS as readonly string[]).includes(version))
    throw new InputError(`"version" must be one of ${VERSIONS.join(', ')}, not ${JSON.stringify(version)}`);
  if (configText !== undefined && config !== undefined)
    throw new InputError('give "configText" (the file text) or "config" (the document), not both');
  if (configText === undefined && config === undefined)
    throw new InputError('"configText" (the file text) or "config" (the document) is required');
  if (configText !== undefined && typeof configText !== 'string')
    throw new InputError(`"configText" must be a string (the file's text), not ${shown(configText)}`);
  if (token !== undefined && claims !== undefined)
    throw new InputError('give "token" (a compact JWT, with "jwks") or "claims" (claims only), not both');
  if (token !== undefined && typeof token !== 'string')
    throw new InputError(`"token" must be a string (a compact JWT), not ${shown(token)}`);
  if (token !== undefined && jwks === undefined)
    throw new InputError('"token" needs "jwks": the issuer\'s public keys ({"keys": [...]})');
  if (jwks !== undefined && token === undefined)
    throw new InputError('"jwks" is only used with "token"; with "claims" the signature is taken as valid');
  if (claims !== undefined && !isMapping(claims))
    throw new InputError(`"claims" must be a mapping (the JWT payload), not ${shown(claims)}`);
  if (tokenHeader !== undefined && !isMapping(tokenHeader))
    throw new InputError(`"tokenHeader" must be a mapping such as {alg: RS256}, not ${shown(tokenHeader)}`);
  if (kind === 'authenticate' && token === undefined && claims === undefined)
    throw new InputError('kind authenticate needs "token" (with "jwks") or "claims"');
  const seconds = nowSeconds(now);
  const sa = serviceAccountIssuers(doc);
  if (doc.trace !== undefined && typeof doc.trace !== 'boolean')
    throw new InputError(`"trace" must be true or false, not ${shown(doc.trace)}`);

  const fields = Object.fromEntries(
    Object.entries(doc).filter(([k, v]) => FIELDS.includes(k) && k !== 'now' && k !== 'context' && v !== undefined),
  );
  const vector = {
    id: '',
    versions: '',
    expect: {},
    ...fields,
    ...(seconds !== undefined ? { now: seconds } : {}),
    ...(sa ? { serviceAccountIssuers: sa } : {}),
  } as Vector;
  return requestFor(vector, (version as string | undefined) ?? VERSIONS[VERSIONS.length - 1]!);
}

/** Unix seconds, or an RFC 3339 time; null or absent = the current time. */
function nowSeconds(now: unknown): number | undefined {
  if (now === undefined || now === null) return undefined;
  if (typeof now === 'number' && Number.isFinite(now)) return Math.floor(now);
  if (typeof now === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(now)) {
    const ms = Date.parse(now);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new InputError(
    `"now" must be Unix seconds or an RFC 3339 time such as "2009-11-10T23:00:00Z", not ${shown(now)}`,
  );
}

function serviceAccountIssuers(doc: Record<string, unknown>): string[] | undefined {
  const check = (v: unknown, name: string): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw new InputError(`"${name}" must be a list of strings (--service-account-issuer values)`);
    return v as string[];
  };
  const top = check(doc.serviceAccountIssuers, 'serviceAccountIssuers');
  if (doc.context !== undefined && !isMapping(doc.context))
    throw new InputError(`"context" must be a mapping {serviceAccountIssuers: [...]}, not ${shown(doc.context)}`);
  const inContext = check(
    (doc.context as Record<string, unknown> | undefined)?.serviceAccountIssuers,
    'context.serviceAccountIssuers',
  );
  return top ?? inContext;
}

/** Parses the file's text: JSON when it is JSON (exact numbers), YAML otherwise. */
export function parseInputText(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch (e) {
      // Flow-style YAML starts with `{` too; only a YAML error is reported if both fail.
      try {
        return parseYaml(text);
      } catch {
        throw new InputError(`not valid JSON: ${(e as Error).message}`);
      }
    }
  }
  try {
    return parseYaml(text);
  } catch (e) {
    throw new InputError(`not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Exit code of an answer: 0 valid/authenticated, 1 a verdict that is not, 2 the input was unusable. */
export function exitCodeOf(response: AuthnResponse): number {
  if ('valid' in response || 'user' in response) return 0;
  if ('stage' in response && response.stage === 'input') return 2;
  return 1;
}

export async function authnCommand(argv: string[]): Promise<number> {
  const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
  const flag = parseInputFlag(argv, USAGE);
  if ('help' in flag) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ('error' in flag) {
    print({ stage: 'input', error: flag.error });
    return 2;
  }
  const input = flag.file;
  let request: AuthnRequest;
  try {
    let text: string;
    try {
      text = await readFile(input, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message,
      );
    }
    request = requestFromInput(parseInputText(text));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    print({ stage: 'input', error: `${input}: ${e.message}` });
    return 2;
  }
  const response = await runAuthnRequest(request);
  print(response);
  return exitCodeOf(response);
}
