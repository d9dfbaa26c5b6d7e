// The admission page: policies (MutatingAdmissionPolicy or ValidatingAdmissionPolicy, detected per document),
// their bindings, params, the object, the old object, the namespace and the request, run through
// src/policy/admission as kube-apiserver's admission chain would: create-time validation of the policies, then
// matching, matchConditions, variables, mutations (with reinvocation) and validations. The result is the final
// object (to diff against the input), or the exact error the client would get, with every step traced.

import { stringify, type Document } from 'yaml';
import { loadOpenApi, loadedOpenApi } from '../../k8s/openapi/index.ts';
import { admit, type InvocationTrace } from '../../policy/admission/admit.ts';
import { builtinDefaults } from '../../policy/admission/builtin-defaults.ts';
import type { Json } from '../../policy/admission/jsonpatch.ts';
import type { Binding, Policy, RequestAttributes, Status } from '../../policy/admission/types.ts';
import { bindingFieldErrors, invalidMessage, policyFieldErrors } from '../../policy/admission/validate.ts';
import type { ValidationTrace } from '../../policy/admission/validating.ts';
import { gvkString, typeCheckPolicy, type ExpressionWarning } from '../../policy/admission/typechecking.ts';
import { diag, firstLine, plain } from '../diagnostics.ts';
import type { Diagnostic, PlaygroundRequest } from '../evaluation.ts';
import type { KubeVersion } from '../state.ts';
import { errorBody, errorText } from '../../policy/admission/object-validation/index.ts';
import { fieldDiagnostics } from '../yaml/field-markers.ts';
import { locateField } from '../yaml/field-positions.ts';
import { parseYaml, parseYamlStream, type ParsedYaml } from '../yaml/parse.ts';
import { defaultNamespaceObject, deriveRequest } from './request.ts';
import { enablement, notServed, type AdmissionKind } from './served.ts';

/** Objects larger than this (as YAML) are not diffed: the diff editor would stall the tab. */
export const MAX_DIFF_CHARS = 1_000_000;

export interface AdmissionPolicyView {
  kind: 'MutatingAdmissionPolicy' | 'ValidatingAdmissionPolicy';
  name: string;
  apiVersion: string;
  /** Whether any binding in the binding editor names it (without one, kube-apiserver never runs it). */
  bound: boolean;
  /** What the cluster must turn on to serve it, when it is not on by default. */
  enablement?: string;
}

/**
 * What the admission page shows.
 *
 * - `outcome`: `admitted` (every policy let the request through: `finalYaml`, and VAP `warnings` and
 *   `auditAnnotations`), `denied` (the client gets `error`: its message and Status), `invalid-policy` (a policy or
 *   binding would not be created: `createError`, the 422 kube-apiserver answers to its create), `invalid-input`
 *   (an editor cannot be used: `inputError`, and markers).
 * - `invocations` are the MutatingAdmissionPolicy invocations in order (one per policy × binding × param, and a
 *   second pass for reinvocation); `validations` the ValidatingAdmissionPolicy bindings.
 */
export interface AdmissionPageResult {
  outcome: 'admitted' | 'denied' | 'invalid-policy' | 'invalid-input';
  version: KubeVersion;
  policies: AdmissionPolicyView[];
  /** The request attributes as admission saw them, with what was filled in (`assumed`). */
  request?: RequestAttributes;
  assumed: string[];
  invocations: InvocationTrace[];
  validations: ValidationTrace[];
  /** The object as admission received it, and after the mutations (YAML), for the diff. */
  inputYaml?: string;
  finalYaml?: string;
  /** Set instead of the YAML texts when the object is too large to diff. */
  diffSkipped?: string;
  changed: boolean;
  error?: { message: string; status: Status };
  createError?: string;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  /**
   * kube-apiserver's validation of the built-in object after mutating and before validating admission:
   * `modelled: false` for a kind or operation we do not model; each field error as `field` and `message`.
   */
  objectValidation?: {
    kind: string;
    operation: string;
    modelled: boolean;
    errors: { field: string; message: string }[];
  };
  /**
   * What kube-controller-manager's validatingadmissionpolicy-status controller writes to each created
   * ValidatingAdmissionPolicy's `status.typeChecking` (expressions checked against the OpenAPI schemas of the
   * kinds its resource rules name). Warnings only: they never change admission.
   */
  typeChecking: PolicyTypeChecking[];
  inputError?: string;
}

export interface PolicyTypeChecking {
  policy: string;
  /** The kinds the expressions were checked against (`apps/v1, Kind=Deployment`). */
  checkedKinds: string[];
  expressionWarnings: ExpressionWarning[];
}

type Doc = Record<string, unknown>;
const isMap = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

const POLICY_KINDS = ['MutatingAdmissionPolicy', 'ValidatingAdmissionPolicy'] as const;
const BINDING_KINDS = ['MutatingAdmissionPolicyBinding', 'ValidatingAdmissionPolicyBinding'] as const;

interface Located<T> {
  value: T;
  doc: Document.Parsed;
}

/** Loads the version's OpenAPI schemas (the merge needs them), then evaluates. */
export async function evaluateAdmissionPage(
  request: PlaygroundRequest,
): Promise<{ result: AdmissionPageResult; diagnostics: Diagnostic[] }> {
  await loadOpenApi(request.version);
  return evaluateAdmissionPageLoaded(request);
}

/** The evaluation itself, once the version's OpenAPI schemas are loaded. */
export function evaluateAdmissionPageLoaded(request: PlaygroundRequest): {
  result: AdmissionPageResult;
  diagnostics: Diagnostic[];
} {
  const version = request.version;
  const docs = request.docs;
  const text = (name: string) => docs[name] ?? '';
  const diagnostics: Diagnostic[] = [];
  const result: AdmissionPageResult = {
    outcome: 'invalid-input',
    version,
    policies: [],
    assumed: [],
    invocations: [],
    validations: [],
    changed: false,
    warnings: [],
    auditAnnotations: {},
    typeChecking: [],
  };
  const problems: string[] = [];
  const stop = (): { result: AdmissionPageResult; diagnostics: Diagnostic[] } => {
    result.inputError = problems[0] ?? 'fix the marked input first';
    return { result, diagnostics };
  };

  // Policies and bindings: typed documents of a stream, each checked for its kind and served apiVersion.
  const typed = <K extends string>(
    docName: string,
    label: string,
    kinds: readonly K[],
  ): Located<Doc & { kind: K; metadata: { name: string } }>[] => {
    const out: Located<Doc & { kind: K; metadata: { name: string } }>[] = [];
    for (const parsed of parseYamlStream(docName, text(docName))) {
      diagnostics.push(...parsed.diagnostics);
      if (!parsed.ok) {
        problems.push(`the ${label} editor has a YAML error`);
        continue;
      }
      const v = plain(parsed.value);
      const mark = (field: string, message: string) => {
        const marks = fieldDiagnostics(docName, text(docName), parsed.doc, field, 'error', message);
        diagnostics.push(...(marks.length ? marks : [firstLine(docName, text(docName), 'error', message)]));
        problems.push(`${label}: ${message}`);
      };
      if (!isMap(v)) {
        mark('kind', `each document must be a ${kinds.join(' or ')}`);
        continue;
      }
      if (!(kinds as readonly unknown[]).includes(v.kind)) {
        mark('kind', `kind must be ${kinds.join(' or ')}, got ${JSON.stringify(v.kind ?? null)}`);
        continue;
      }
      const refused = notServed(v.kind as AdmissionKind, v.apiVersion, version);
      if (refused) {
        mark('apiVersion', refused);
        continue;
      }
      const meta = isMap(v.metadata) ? v.metadata : {};
      if (typeof meta.name !== 'string' || !meta.name) {
        mark('metadata.name', 'metadata.name: Required value: name or generateName is required');
        continue;
      }
      if (!isMap(v.spec)) {
        mark('spec', 'spec: Required value');
        continue;
      }
      const duplicate = out.find((o) => o.value.kind === v.kind && o.value.metadata.name === meta.name);
      if (duplicate) {
        mark('metadata.name', `${String(v.kind)}.admissionregistration.k8s.io "${meta.name}" already exists`);
        continue;
      }
      out.push({ value: v as Doc & { kind: K; metadata: { name: string } }, doc: parsed.doc });
    }
    return out;
  };
  const policies = typed('policy', 'policy', POLICY_KINDS);
  const bindings = typed('binding', 'binding', BINDING_KINDS);
  if (policies.length === 0 && !problems.length) {
    problems.push('write a MutatingAdmissionPolicy or a ValidatingAdmissionPolicy in the policy editor');
    diagnostics.push(firstLine('policy', text('policy'), 'error', problems[0]!));
  }

  // Params: any objects; the object, old object and namespace: one mapping each, or empty.
  const params: Json[] = [];
  for (const parsed of parseYamlStream('params', text('params'))) {
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.ok) problems.push('the params editor has a YAML error');
    else params.push(plain(parsed.value) as Json);
  }
  const single = (docName: string, label: string): Json | undefined => {
    const parsed: ParsedYaml = parseYaml(docName, text(docName));
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.ok) {
      problems.push(`the ${label} editor has a YAML error`);
      return undefined;
    }
    const v = plain(parsed.value ?? null);
    if (v !== null && !isMap(v)) {
      const message = `the ${label} must be a mapping (a Kubernetes object), or empty`;
      diagnostics.push(firstLine(docName, text(docName), 'error', message));
      problems.push(message);
      return undefined;
    }
    return v as Json;
  };
  const object = single('object', 'object') ?? null;
  const oldGiven = single('oldObject', 'old object') ?? null;
  const namespaceGiven = single('namespace', 'namespace');
  const requestDoc = single('request', 'request') ?? {};
  if (problems.length) return stop();

  const derived = deriveRequest(isMap(requestDoc) ? requestDoc : {}, object, oldGiven);
  if (!derived.ok) {
    problems.push(`request.${derived.field}: ${derived.message}`);
    const parsed = parseYaml('request', text('request'));
    const marks = fieldDiagnostics('request', text('request'), parsed.doc, derived.field, 'error', derived.message);
    diagnostics.push(...(marks.length ? marks : [firstLine('request', text('request'), 'error', derived.message)]));
    return stop();
  }
  const { request: attributes, assumed } = derived.derived;
  // kube-apiserver decodes the body into its Go type and defaults it before admission; the stored old object
  // was defaulted when it was written.
  const admitted = builtinDefaults(derived.derived.object);
  const oldObject = builtinDefaults(oldGiven);
  if (
    JSON.stringify(admitted) !== JSON.stringify(derived.derived.object) ||
    JSON.stringify(oldObject) !== JSON.stringify(oldGiven)
  )
    assumed.push(
      `the defaults kube-apiserver gives a ${attributes.kind.kind} (imagePullPolicy, terminationMessagePath…)`,
    );
  result.request = attributes;
  result.assumed = assumed;
  let namespaceObject = namespaceGiven ?? null;
  if (namespaceObject === null && attributes.namespace) {
    namespaceObject = defaultNamespaceObject(attributes.namespace);
    assumed.push(`namespace object ${attributes.namespace} with only its kubernetes.io/metadata.name label`);
  }

  // Which policies are bound, which bindings name nothing: kube-apiserver accepts both silently.
  const boundNames = new Set(
    bindings.map((b) => `${b.value.kind}/${String(isMap(b.value.spec) && b.value.spec.policyName)}`),
  );
  for (const p of policies) {
    const bound = boundNames.has(`${p.value.kind}Binding/${p.value.metadata.name}`);
    const apiVersion = String(p.value.apiVersion);
    const needs = enablement(p.value.kind, apiVersion);
    result.policies.push({
      kind: p.value.kind,
      name: p.value.metadata.name,
      apiVersion,
      bound,
      ...(needs ? { enablement: needs } : {}),
    });
    if (!bound)
      diagnostics.push(
        ...fieldDiagnostics(
          'policy',
          text('policy'),
          p.doc,
          'metadata.name',
          'warning',
          `no ${p.value.kind}Binding names this policy: kube-apiserver never runs it`,
        ),
      );
  }
  for (const b of bindings) {
    const name = isMap(b.value.spec) ? b.value.spec.policyName : undefined;
    const policyKind = b.value.kind.replace(/Binding$/, '');
    if (!policies.some((p) => p.value.kind === policyKind && p.value.metadata.name === name))
      diagnostics.push(
        ...fieldDiagnostics(
          'binding',
          text('binding'),
          b.doc,
          'spec.policyName',
          'warning',
          `no ${policyKind} named ${JSON.stringify(name ?? '')} in the policy editor: this binding does nothing`,
        ),
      );
  }

  // Create-time validation, each error on its field (CEL errors on their character).
  let createError: string | undefined;
  for (const p of policies) {
    const errs = policyFieldErrors(p.value as unknown as Policy, version);
    for (const e of errs)
      diagnostics.push(...fieldDiagnostics('policy', text('policy'), p.doc, e.field, 'error', e.detail, e.cel));
    if (errs.length) createError ??= invalidMessage(p.value.kind, p.value.metadata.name, errs);
  }
  for (const b of bindings) {
    const errs = bindingFieldErrors(b.value as unknown as Binding);
    for (const e of errs)
      diagnostics.push(...fieldDiagnostics('binding', text('binding'), b.doc, e.field, 'error', e.detail));
    if (errs.length) createError ??= invalidMessage(b.value.kind, b.value.metadata.name, errs);
  }
  if (createError) {
    result.outcome = 'invalid-policy';
    result.createError = createError;
    return { result, diagnostics };
  }

  // The status controller type-checks every created ValidatingAdmissionPolicy, bound or not.
  const api = loadedOpenApi(version);
  for (const p of policies) {
    if (p.value.kind !== 'ValidatingAdmissionPolicy' || !api) continue;
    const checked = typeCheckPolicy(p.value as unknown as Policy, { version, api });
    result.typeChecking.push({
      policy: p.value.metadata.name,
      checkedKinds: checked.checkedKinds.map(gvkString),
      expressionWarnings: checked.expressionWarnings,
    });
    for (const f of checked.findings) {
      const issues = f.issues.map((i) => ({ ...i, message: `status.typeChecking: ${gvkString(f.gvk)}: ${i.message}` }));
      diagnostics.push(
        ...fieldDiagnostics('policy', text('policy'), p.doc, f.fieldRef, 'warning', issues[0]!.message, issues),
      );
    }
  }

  const admission = admit(
    {
      version,
      level: 'apiserver',
      request: attributes,
      policies: policies.map((p) => p.value as unknown as Policy),
      bindings: bindings.map((b) => b.value as unknown as Binding),
      params,
      object: attributes.operation === 'DELETE' ? null : admitted,
      oldObject,
      namespaceObject,
    },
    { traceVariables: true },
  );
  result.invocations = admission.invocations;
  result.validations = admission.validations;
  if (admission.objectValidation) {
    const v = admission.objectValidation;
    result.objectValidation = {
      kind: isMap(admitted) ? String(admitted.kind ?? '') : '',
      operation: attributes.operation,
      modelled: v.modelled,
      errors: v.errors.map((e) => ({ field: e.field, message: errorBody(e) })),
    };
    // On the field of the object editor, or the nearest part of its path there (a mutation may have added it).
    const parsed = parseYaml('object', text('object'));
    for (const e of v.errors)
      diagnostics.push(
        ...fieldDiagnostics('object', text('object'), parsed.doc, e.field, 'error', `after mutation: ${errorText(e)}`),
      );
  }
  result.warnings = admission.warnings;
  result.auditAnnotations = admission.auditAnnotations;
  diagnostics.push(...runtimeMarkers(text('policy'), policies, admission.invocations, admission.validations));
  if (admission.createError) {
    // validatePolicies agrees with the field errors above; this is a safety net, not a second opinion.
    result.outcome = 'invalid-policy';
    result.createError = admission.createError;
    return { result, diagnostics };
  }
  if (admission.error) {
    result.outcome = 'denied';
    result.error = admission.error;
    return { result, diagnostics };
  }
  result.outcome = 'admitted';
  const before = admitted === null ? '' : stringify(admitted);
  const after = admission.object === undefined || admission.object === null ? '' : stringify(admission.object);
  result.changed = before !== after;
  if (before.length > MAX_DIFF_CHARS || after.length > MAX_DIFF_CHARS)
    result.diffSkipped = `the object is ${(Math.max(before.length, after.length) / 1e6).toFixed(1)} MB as YAML: too large to diff here (the limit is ${MAX_DIFF_CHARS / 1e6} MB)`;
  else {
    result.inputYaml = before;
    result.finalYaml = after;
  }
  return { result, diagnostics };
}

/** Runtime errors and denials, on the expression that caused them (the first document of that policy's name). */
function runtimeMarkers(
  text: string,
  policies: Located<Doc & { kind: string; metadata: { name: string } }>[],
  invocations: InvocationTrace[],
  validations: ValidationTrace[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const mark = (kind: string, name: string, field: string, severity: Diagnostic['severity'], message: string) => {
    const key = `${kind}/${name}/${field}/${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const p = policies.find((x) => x.value.kind === kind && x.value.metadata.name === name);
    if (!p) return;
    const at = locateField(p.doc, field);
    if (at) out.push(diag('policy', text, severity, message, at.from, at.to));
  };
  const conditionField = (p: string, kind: string, condition: string): string => {
    const doc = policies.find((x) => x.value.kind === kind && x.value.metadata.name === p)?.value;
    const list = isMap(doc?.spec) && Array.isArray(doc.spec.matchConditions) ? doc.spec.matchConditions : [];
    const i = list.findIndex((c) => isMap(c) && c.name === condition);
    return i < 0 ? 'spec.matchConditions' : `spec.matchConditions[${i}].expression`;
  };
  for (const inv of invocations) {
    const kind = 'MutatingAdmissionPolicy';
    for (const c of inv.matchConditions)
      if (c.error) mark(kind, inv.policy, conditionField(inv.policy, kind, c.name), 'error', c.error);
    for (const m of inv.mutations) {
      if (!m.error) continue;
      const which = m.patchType === 'JSONPatch' ? 'jsonPatch' : 'applyConfiguration';
      mark(kind, inv.policy, `spec.mutations[${m.index}].${which}.expression`, 'error', m.error);
    }
  }
  for (const v of validations) {
    const kind = 'ValidatingAdmissionPolicy';
    for (const c of v.matchConditions)
      if (c.error) mark(kind, v.policy, conditionField(v.policy, kind, c.name), 'error', c.error);
    for (const d of v.decisions)
      if (d.action === 'Deny')
        mark(kind, v.policy, `spec.validations[${d.index}].expression`, 'warning', `denied: ${d.message ?? ''}`);
  }
  return out;
}
