// Loading an --authentication-config file as kube-apiserver does: YAML 1.1 (or JSON) to JSON, the group/version/
// kind check of the apiserver-config scheme, Go JSON type errors (fatal), then strict decoding (unknown and
// duplicate fields) reported together as one `strict decoding error: …`.

import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { minor, type AuthenticationConfiguration } from './types.ts';

export const GROUP = 'apiserver.config.k8s.io';
export const KIND = 'AuthenticationConfiguration';

export type LoadResult =
  | { ok: true; config: AuthenticationConfiguration }
  | { ok: false; stage: 'load'; error: string; /** offset of the offending YAML node, when known */ offset?: number };

/** The apiVersions kube-apiserver registers for this kind. */
export function registeredVersions(version: string): string[] {
  const v = ['v1alpha1', 'v1beta1'];
  if (minor(version) >= 34) v.push('v1');
  return v.map((x) => `${GROUP}/${x}`);
}

type FieldType =
  | 'string'
  | 'bool'
  | { list: FieldType }
  | { object: string; fields: () => Record<string, FieldType>; since?: Record<string, number> };

const CONDITION: FieldType = { object: 'AnonymousAuthCondition', fields: () => ({ path: 'string' }) };
const ANONYMOUS: FieldType = {
  object: 'AnonymousAuthConfig',
  fields: () => ({ enabled: 'bool', conditions: { list: CONDITION } }),
};
const ISSUER: FieldType = {
  object: 'Issuer',
  fields: () => ({
    url: 'string',
    discoveryURL: 'string',
    certificateAuthority: 'string',
    audiences: { list: 'string' },
    audienceMatchPolicy: 'string',
    egressSelectorType: 'string',
  }),
  since: { egressSelectorType: 34 },
};
const CLAIM_RULE: FieldType = {
  object: 'ClaimValidationRule',
  fields: () => ({ claim: 'string', requiredValue: 'string', expression: 'string', message: 'string' }),
};
const PREFIXED: FieldType = {
  object: 'PrefixedClaimOrExpression',
  fields: () => ({ claim: 'string', prefix: 'string', expression: 'string' }),
};
const CLAIM_OR_EXPRESSION: FieldType = {
  object: 'ClaimOrExpression',
  fields: () => ({ claim: 'string', expression: 'string' }),
};
const EXTRA: FieldType = { object: 'ExtraMapping', fields: () => ({ key: 'string', valueExpression: 'string' }) };
const MAPPINGS: FieldType = {
  object: 'ClaimMappings',
  fields: () => ({ username: PREFIXED, groups: PREFIXED, uid: CLAIM_OR_EXPRESSION, extra: { list: EXTRA } }),
};
const USER_RULE: FieldType = {
  object: 'UserValidationRule',
  fields: () => ({ expression: 'string', message: 'string' }),
};
const JWT: FieldType = {
  object: 'JWTAuthenticator',
  fields: () => ({
    issuer: ISSUER,
    claimValidationRules: { list: CLAIM_RULE },
    claimMappings: MAPPINGS,
    userValidationRules: { list: USER_RULE },
  }),
};
const ROOT: FieldType = {
  object: 'AuthenticationConfiguration',
  fields: () => ({ apiVersion: 'string', kind: 'string', jwt: { list: JWT }, anonymous: ANONYMOUS }),
  since: { anonymous: 31 },
};

/** Go's JSON type name of a value, as in `json: cannot unmarshal <type> into …`. */
function jsonKind(v: unknown): string {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function goType(t: FieldType): string {
  if (t === 'string') return 'string';
  if (t === 'bool') return 'bool';
  if ('list' in t) return `[]${goType(t.list).replace(/^([A-Z])/, 'v1.$1')}`;
  return `v1.${t.object}`;
}

class TypeError_ extends Error {}

/**
 * Decodes a plain JSON value against the schema: returns the typed value (nulls dropped, as Go leaves zero
 * values) and collects unknown fields; throws on a type mismatch (Go's decoder stops there).
 */
function decode(
  v: unknown,
  t: FieldType,
  path: string,
  structName: string,
  version: number,
  unknown: string[],
): unknown {
  if (v === null || v === undefined) return undefined;
  const mismatch = (): never => {
    throw new TypeError_(
      `json: cannot unmarshal ${jsonKind(v)} into Go ${structName ? `struct field ${structName}.${path.replace(/\[\d+\]/g, '')}` : 'value'} of type ${goType(t)}`,
    );
  };
  if (t === 'string') return typeof v === 'string' ? v : mismatch();
  if (t === 'bool') return typeof v === 'boolean' ? v : mismatch();
  if ('list' in t) {
    if (!Array.isArray(v)) return mismatch();
    return v.map((x, i) => decode(x, t.list, `${path}[${i}]`, structName, version, unknown) ?? zero(t.list));
  }
  if (typeof v !== 'object' || Array.isArray(v)) return mismatch();
  const fields = t.fields();
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const ft = fields[k];
    const since = t.since?.[k];
    const fieldPath = path ? `${path}.${k}` : k;
    if (!ft || (since !== undefined && version < since)) {
      unknown.push(`unknown field ${JSON.stringify(fieldPath)}`);
      continue;
    }
    const d = decode(x, ft, fieldPath, t.object, version, unknown);
    if (d !== undefined) out[k] = d;
    else if (x === null && k === 'prefix') out[k] = null;
  }
  return out;
}

function zero(t: FieldType): unknown {
  if (t === 'string') return '';
  if (t === 'bool') return false;
  if ('list' in t) return [];
  return {};
}

/** go-yaml v2's duplicate-key errors for a document (strict YAMLToJSON), with 1-based lines. */
function duplicateKeys(node: Node | null | undefined, text: string, out: { line: number; key: string }[]): void {
  if (!node) return;
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (seen.has(key)) {
        const at = (pair.key as Node).range?.[0] ?? 0;
        out.push({ line: text.slice(0, at).split('\n').length, key });
      }
      seen.add(key);
      duplicateKeys(pair.value as Node, text, out);
    }
  } else if (isSeq(node)) for (const item of node.items) duplicateKeys(item as Node, text, out);
}

/** Decodes the file text for the given Kubernetes version (1.30–1.34). */
export function loadAuthenticationConfiguration(text: string, version: string): LoadResult {
  const fail = (error: string, offset?: number): LoadResult => ({
    ok: false,
    stage: 'load',
    error,
    ...(offset !== undefined ? { offset } : {}),
  });
  if (text.length === 0) return fail('empty config data');
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = text.slice(0, e.pos[0]).split('\n').length;
    return fail(`yaml: line ${line}: ${e.message.split('\n')[0]}`, e.pos[0]);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return fail(`yaml: ${(e as Error).message}`);
  }
  const raw = JSON.stringify(value ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  const obj =
    value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  if (value === null || value === undefined) return fail(`Object 'Kind' is missing in '${raw}'`);
  if (typeof value !== 'object' || Array.isArray(value))
    return fail(
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(value)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  if (!kind) return fail(`Object 'Kind' is missing in '${raw}'`);
  if (!apiVersion) return fail(`Object 'apiVersion' is missing in '${raw}'`);
  if (kind !== KIND || !registeredVersions(version).includes(apiVersion))
    return fail(
      `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "pkg/kubeapiserver/options/authentication.go"`,
    );
  const unknown: string[] = [];
  let config: AuthenticationConfiguration;
  try {
    config = decode(value, ROOT, '', '', minor(version), unknown) as AuthenticationConfiguration;
  } catch (e) {
    if (e instanceof TypeError_) return fail(e.message);
    throw e;
  }
  const strict: string[] = [];
  const dups: { line: number; key: string }[] = [];
  duplicateKeys(doc.contents as Node, text, dups);
  if (dups.length)
    strict.push(
      `yaml: unmarshal errors:\n${dups.map((d) => `  line ${d.line}: key ${JSON.stringify(d.key)} already set in map`).join('\n')}`,
    );
  strict.push(...unknown);
  if (strict.length) return fail(`strict decoding error: ${strict.join(', ')}`);
  return { ok: true, config };
}
