// Reading one admission request (the shape of one vector of admission-vectors.json) from parsed JSON/YAML, with a
// message naming the first field that is wrong; and the one JSON object `porthole admission` prints for a result.

import { SUPPORTED_VERSIONS } from '../../cel/kubernetes.ts';
import type { AdmissionResult } from './admit.ts';
import type { Json } from './jsonpatch.ts';
import type { AdmissionOutcome, AdmissionRequestInput } from './types.ts';

type Doc = Record<string, unknown>;
const isMap = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);
const what = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'a mapping'
        : `the ${typeof v} ${JSON.stringify(v)}`;

class InputError extends Error {}
const fail = (field: string, message: string): never => {
  throw new InputError(`${field}: ${message}`);
};

function mapAt(doc: Doc, key: string, field: string, required = true): Doc | undefined {
  const v = doc[key];
  if (v === undefined && !required) return undefined;
  if (v === undefined) return fail(field, 'required');
  if (!isMap(v)) return fail(field, `must be a mapping, got ${what(v)}`);
  return v;
}

function stringAt(doc: Doc, key: string, field: string, required: boolean): string | undefined {
  const v = doc[key];
  if (v === undefined || (v === null && !required)) {
    if (required) fail(field, 'required');
    return undefined;
  }
  if (typeof v !== 'string') return fail(field, `must be a string, got ${what(v)}`);
  return v;
}

function listAt(doc: Doc, key: string, field: string, required: boolean): unknown[] | undefined {
  const v = doc[key];
  if (v === undefined || (v === null && !required)) {
    if (required) fail(field, 'required');
    return undefined;
  }
  if (!Array.isArray(v)) return fail(field, `must be a list, got ${what(v)}`);
  return v;
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const POLICY_KINDS = ['MutatingAdmissionPolicy', 'ValidatingAdmissionPolicy'];
const BINDING_KINDS = ['MutatingAdmissionPolicyBinding', 'ValidatingAdmissionPolicyBinding'];

function checkRequest(doc: Doc): void {
  const r = mapAt(doc, 'request', 'request')!;
  const op = stringAt(r, 'operation', 'request.operation', true)!;
  if (!OPERATIONS.includes(op)) fail('request.operation', `must be one of ${OPERATIONS.join(', ')}, got "${op}"`);
  const kind = mapAt(r, 'kind', 'request.kind')!;
  stringAt(kind, 'group', 'request.kind.group', false);
  stringAt(kind, 'version', 'request.kind.version', true);
  stringAt(kind, 'kind', 'request.kind.kind', true);
  const res = mapAt(r, 'resource', 'request.resource')!;
  stringAt(res, 'group', 'request.resource.group', false);
  stringAt(res, 'version', 'request.resource.version', true);
  stringAt(res, 'resource', 'request.resource.resource', true);
  for (const k of ['subResource', 'namespace', 'name']) stringAt(r, k, `request.${k}`, false);
  if (r.userInfo !== undefined && !isMap(r.userInfo))
    fail('request.userInfo', `must be a mapping, got ${what(r.userInfo)}`);
}

function checkObjects(doc: Doc, key: 'policies' | 'bindings', kinds: string[], required: boolean): void {
  (listAt(doc, key, key, required) ?? []).forEach((p, i) => {
    const at = `${key}[${i}]`;
    if (!isMap(p)) return fail(at, `must be a mapping, got ${what(p)}`);
    const kind = stringAt(p, 'kind', `${at}.kind`, true)!;
    if (!kinds.includes(kind)) fail(`${at}.kind`, `must be one of ${kinds.join(', ')}, got "${kind}"`);
    stringAt(mapAt(p, 'metadata', `${at}.metadata`)!, 'name', `${at}.metadata.name`, true);
    const spec = mapAt(p, 'spec', `${at}.spec`)!;
    if (key === 'bindings') stringAt(spec, 'policyName', `${at}.spec.policyName`, true);
  });
}

/** The input as admit() takes it, or an error naming the first wrong field. */
export function readAdmissionInput(doc: unknown): { input: AdmissionRequestInput } | { error: string } {
  try {
    if (!isMap(doc)) return fail('input', `must be a mapping (one admission vector), got ${what(doc)}`);
    const version = doc.version;
    if (typeof version === 'number')
      fail(
        'version',
        `must be a string such as "1.34", got the number ${version} (quote it: in YAML 1.30 reads as 1.3)`,
      );
    if (version !== undefined && version !== null) {
      if (typeof version !== 'string') fail('version', `must be a string, got ${what(version)}`);
      if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version as string))
        fail(
          'version',
          `unsupported Kubernetes version "${String(version)}" (supported: ${SUPPORTED_VERSIONS.join(', ')})`,
        );
    }
    const level = doc.level;
    if (level !== undefined && level !== null && !['patcher', 'dispatcher', 'apiserver'].includes(level as string))
      fail('level', `must be one of patcher, dispatcher, apiserver, got ${what(level)}`);
    checkRequest(doc);
    checkObjects(doc, 'policies', POLICY_KINDS, true);
    checkObjects(doc, 'bindings', BINDING_KINDS, false);
    for (const k of ['params', 'customResourceDefinitions', 'defaulting']) listAt(doc, k, k, false);
    if (!('object' in doc)) fail('object', 'required (null for a DELETE)');
    for (const k of ['object', 'oldObject', 'namespaceObject'])
      if (doc[k] !== undefined && doc[k] !== null && !isMap(doc[k]))
        fail(k, `must be a mapping or null, got ${what(doc[k])}`);
    // Unknown keys such as id, title and expect of a vector are ignored: a whole vector is a valid input.
    const { version: _v, level: _l, ...rest } = doc;
    const input = {
      ...rest,
      ...(typeof version === 'string' ? { version } : {}),
      ...(typeof level === 'string' ? { level } : {}),
    } as unknown as AdmissionRequestInput; // checked field by field above
    return { input };
  } catch (e) {
    if (e instanceof InputError) return { error: e.message };
    throw e;
  }
}

/**
 * The one JSON object printed for a result: `{createError}`, `{error: {message, status}}`, `{object}` when any
 * MutatingAdmissionPolicy is given (with `warnings`/`auditAnnotations` only when VAP produced some), else the VAP
 * outcome `{allowed: true, warnings, auditAnnotations}`.
 */
export function admissionOutcome(input: AdmissionRequestInput, result: AdmissionResult): AdmissionOutcome {
  if (result.createError !== undefined) return { createError: result.createError };
  if (result.error) return { error: { message: result.error.message, status: result.error.status } };
  const mutating = input.policies.some((p) => p.kind === 'MutatingAdmissionPolicy');
  if (mutating)
    return {
      object: result.object ?? (null as Json),
      ...(result.warnings.length ? { warnings: result.warnings } : {}),
      ...(Object.keys(result.auditAnnotations).length ? { auditAnnotations: result.auditAnnotations } : {}),
    };
  return { allowed: true, warnings: result.warnings, auditAnnotations: result.auditAnnotations };
}
