// The Kubernetes CEL environments per version and per use: authentication (`claims`, `user`) and admission
// (validation, mutation, matchConditions), with the libraries of k8s.io/apiserver/pkg/cel/environment/base.go.

import {
  compile,
  evaluate,
  type CompileResult,
  type EvalResult,
  type EvaluateOptions,
  type Program,
} from './compile.ts';
import type { Library } from './decls.ts';
import { createEnvironment, type Environment } from './env.ts';
import { cidrLibrary, ipLibrary } from './lib/net.ts';
import { AuthorizerValue, ResourceCheckValue, authzLibrary, authzSelectorsLibrary } from './lib/authz.ts';
import { extListsLibrary } from './lib/extlists.ts';
import { formatLibrary } from './lib/format.ts';
import { jsonPatchLibrary } from './lib/jsonpatch.ts';
import { kubernetesListsLibrary } from './lib/lists.ts';
import { optionalLibrary, optionalListLibrary } from './lib/optional.ts';
import { quantityLibrary } from './lib/quantity.ts';
import { regexLibrary } from './lib/regex.ts';
import { semverLibrary } from './lib/semver.ts';
import { setsLibrary } from './lib/sets.ts';
import { standardLibrary } from './lib/std.ts';
import { stringsLibrary, stringsV2Library } from './lib/strings.ts';
import { twoVarComprehensionsLibrary } from './lib/comprehensions.ts';
import { urlsLibrary } from './lib/urls.ts';
import type { SchemaTypes } from './schema-types.ts';
import { T, type CelType, type ObjectTypeDecl } from './types.ts';
import { CostLimitExceeded } from './interpreter.ts';
import { EvalError, LazyVariables, fromJSON, type Value } from './values.ts';

export const SUPPORTED_VERSIONS = ['1.30', '1.31', '1.32', '1.33', '1.34'] as const;
export type KubernetesVersion = (typeof SUPPORTED_VERSIONS)[number];

/** Every library of the Kubernetes base environment that this package implements, with its version gate. */
export const KUBERNETES_LIBRARIES: readonly Library[] = [
  standardLibrary,
  stringsLibrary,
  kubernetesListsLibrary,
  regexLibrary,
  urlsLibrary,
  authzLibrary,
  optionalLibrary,
  quantityLibrary,
  setsLibrary,
  stringsV2Library,
  ipLibrary,
  cidrLibrary,
  formatLibrary,
  authzSelectorsLibrary,
  twoVarComprehensionsLibrary,
  semverLibrary,
  optionalListLibrary,
  extListsLibrary,
];

export function minorOf(version: string): number {
  const m = /^1\.(\d+)$/.exec(version);
  if (!m || !(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    throw new Error(`unsupported Kubernetes version "${version}" (supported: ${SUPPORTED_VERSIONS.join(', ')})`);
  }
  return Number(m[1]);
}

const obj = (name: string, fields: Record<string, string | CelType>, open = false): ObjectTypeDecl => ({
  name,
  fields: new Map(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? parseSimple(v) : v])),
  open,
});

function parseSimple(t: string): CelType {
  switch (t) {
    case 'string':
      return T.string;
    case 'bool':
      return T.bool;
    case 'int':
      return T.int;
    case 'dyn':
      return T.dyn;
    case 'timestamp':
      return T.timestamp;
    case 'list(string)':
      return T.list(T.string);
    case 'map(string, string)':
      return T.map(T.string, T.string);
    case 'map(string, list(string))':
      return T.map(T.string, T.list(T.string));
    default:
      return T.object(t);
  }
}

/** `user` in userValidationRules. */
export const USER_INFO_TYPE = obj('kubernetes.UserInfo', {
  username: 'string',
  uid: 'string',
  groups: 'list(string)',
  extra: 'map(string, list(string))',
});

const ADMISSION_TYPES: ObjectTypeDecl[] = [
  obj('kubernetes.GroupVersionKind', { group: 'string', version: 'string', kind: 'string' }),
  obj('kubernetes.GroupVersionResource', { group: 'string', version: 'string', resource: 'string' }),
  obj('kubernetes.UserInfo', {
    username: 'string',
    uid: 'string',
    groups: 'list(string)',
    extra: 'map(string, list(string))',
  }),
  obj('kubernetes.AdmissionRequest', {
    kind: 'kubernetes.GroupVersionKind',
    resource: 'kubernetes.GroupVersionResource',
    subResource: 'string',
    requestKind: 'kubernetes.GroupVersionKind',
    requestResource: 'kubernetes.GroupVersionResource',
    requestSubResource: 'string',
    name: 'string',
    namespace: 'string',
    operation: 'string',
    userInfo: 'kubernetes.UserInfo',
    dryRun: 'bool',
    options: 'dyn',
  }),
  obj('kubernetes.Namespace', {
    metadata: 'kubernetes.NamespaceMetadata',
    spec: 'kubernetes.NamespaceSpec',
    status: 'kubernetes.NamespaceStatus',
  }),
  obj('kubernetes.NamespaceMetadata', {
    name: 'string',
    generateName: 'string',
    namespace: 'string',
    labels: 'map(string, string)',
    annotations: 'map(string, string)',
    UID: 'string',
    creationTimestamp: 'timestamp',
    deletionGracePeriodSeconds: 'int',
    deletionTimestamp: 'timestamp',
    generation: 'int',
    resourceVersion: 'string',
    finalizers: 'list(string)',
  }),
  obj('kubernetes.NamespaceSpec', { finalizers: 'list(string)' }),
  obj('kubernetes.NamespaceStatus', {
    conditions: T.list(T.object('kubernetes.NamespaceCondition')),
    phase: 'string',
  }),
  obj('kubernetes.NamespaceCondition', {
    status: 'string',
    type: 'string',
    lastTransitionTime: 'timestamp',
    message: 'string',
    reason: 'string',
  }),
];

/** Mutations construct `Object{...}` (schemaless: every `Object.*` type accepts any field) and `JSONPatch{...}`. */
const MUTATION_TYPES: ObjectTypeDecl[] = [
  obj('JSONPatch', { op: 'string', path: 'string', from: 'string', value: 'dyn' }),
];

export type AdmissionUse = 'validation' | 'mutation' | 'matchCondition';

export interface AdmissionEnvOptions {
  version: KubernetesVersion | string;
  use: AdmissionUse;
  /** `new`: the policy is being written (NewExpressions); `stored` (default): evaluated (StoredExpressions). */
  mode?: 'stored' | 'new';
  /** Whether the policy has a paramKind (declares `params`): as dyn, or typed from the param kind's schema. */
  params?: boolean | SchemaTypes;
  /** `object` and `oldObject` typed from the resource's schema (the status controller's type check); else dyn. */
  object?: SchemaTypes;
  /**
   * Whether `authorizer.requestResource` is declared (default true). The ValidatingAdmissionPolicy type check
   * declares only `authorizer` (k8s.io/apiserver policy/validating/typechecking.go buildEnvSet).
   */
  requestResource?: boolean;
  /** Composited variables visible to this expression, with their compiled result types. */
  variables?: Record<string, CelType>;
  /** Required result type: validations and matchConditions must be bool. */
  resultType?: CelType[];
}

export function admissionEnvironment(options: AdmissionEnvOptions): Environment {
  const objectType = options.object?.type ?? T.dyn;
  const vars: Record<string, CelType> = {
    object: objectType,
    oldObject: objectType,
    request: T.object('kubernetes.AdmissionRequest'),
    namespaceObject: T.object('kubernetes.Namespace'),
    authorizer: T.opaque('kubernetes.authorization.Authorizer'),
  };
  if (options.requestResource !== false)
    vars['authorizer.requestResource'] = T.opaque('kubernetes.authorization.ResourceCheck');
  if (options.params) vars.params = options.params === true ? T.dyn : options.params.type;
  const types = [...ADMISSION_TYPES, ...(options.object?.objectTypes ?? [])];
  if (typeof options.params === 'object') types.push(...options.params.objectTypes);
  if (options.use !== 'matchCondition') {
    vars.variables = T.object('kubernetes.variables');
    types.push({ name: 'kubernetes.variables', fields: new Map(Object.entries(options.variables ?? {})) });
  }
  const libraries = [...KUBERNETES_LIBRARIES];
  if (options.use === 'mutation') {
    types.push(...MUTATION_TYPES);
    libraries.push(jsonPatchLibrary);
  }
  const env = createEnvironment({
    version: minorOf(options.version),
    mode: options.mode ?? 'stored',
    variables: vars,
    objectTypes: types,
    libraries,
    optionalSyntax: true,
    ...(options.resultType ? { resultType: { allowed: options.resultType, style: 'admission' as const } } : {}),
  });
  if (options.use === 'mutation') return withOpenObjectTypes(env);
  return env;
}

/** `Object` and any `Object.<path>` are schemaless object types in a mutation. */
function withOpenObjectTypes(env: Environment): Environment {
  const types = new Map(env.objectTypes);
  const proxy = new Proxy(types, {
    get(target, prop, receiver) {
      if (prop === 'get') {
        return (name: string) =>
          target.get(name) ??
          (name === 'Object' || name.startsWith('Object.') ? { name, fields: new Map(), open: true } : undefined);
      }
      if (prop === 'has') return (name: string) => target.has(name) || name === 'Object' || name.startsWith('Object.');
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { ...env, objectTypes: proxy };
}

export type AuthnUse = 'claims' | 'user';

export interface AuthnEnvOptions {
  version: KubernetesVersion | string;
  use: AuthnUse;
  /** Validation rules must evaluate to bool; mappings accept any type. */
  resultType?: CelType[];
}

export function authnEnvironment(options: AuthnEnvOptions): Environment {
  const minor = minorOf(options.version);
  return createEnvironment({
    version: minor,
    mode: 'stored',
    variables:
      options.use === 'claims' ? { claims: T.map(T.string, T.any) } : { user: T.object('kubernetes.UserInfo') },
    objectTypes: [USER_INFO_TYPE],
    libraries: [...KUBERNETES_LIBRARIES],
    optionalSyntax: true,
    ...(options.resultType ? { resultType: { allowed: options.resultType, style: 'authn' as const } } : {}),
    runtime: { unescapeFieldNames: minor >= 34 },
  });
}

/** The JWT payload as CEL sees it: integers stay int up to 1.33; from 1.34 every number is a double. */
export function claimsValue(claims: unknown, version: string): Value {
  return fromJSON(claims, { numbers: minorOf(version) >= 34 ? 'double' : 'kubernetes' });
}

export interface CompositedVariable {
  name: string;
  expression: string;
}

export interface AdmissionPrograms {
  variables: { name: string; program: Program }[];
  program: Program;
}

/**
 * Compiles an admission expression with its composited variables: each variable sees the ones before it, and its
 * result type becomes the type of `variables.<name>`.
 */
export function compileAdmission(
  expression: string,
  options: Omit<AdmissionEnvOptions, 'variables'>,
  variables: CompositedVariable[] = [],
):
  { ok: true; programs: AdmissionPrograms } | { ok: false; message: string; variable?: string; result: CompileResult } {
  const types: Record<string, CelType> = {};
  const compiled: { name: string; program: Program }[] = [];
  for (const v of variables) {
    const env = admissionEnvironment({
      ...options,
      resultType: undefined,
      use: options.use,
      variables: { ...types },
    } as AdmissionEnvOptions);
    const r = compile(v.expression, env);
    if (!r.ok) return { ok: false, message: r.message, variable: v.name, result: r };
    types[v.name] = compositedType(r.type);
    compiled.push({ name: v.name, program: r.program });
  }
  const r = compile(expression, admissionEnvironment({ ...options, variables: types }));
  if (!r.ok) return { ok: false, message: r.message, result: r };
  return { ok: true, programs: { variables: compiled, program: r.program } };
}

/**
 * The type `variables.<name>` gets from a variable's result type (plugin/cel composition.go
 * convertCelTypeToDeclType): primitives stay, lists and maps keep their converted parameters, anything else (an
 * object type, an optional, a Kubernetes opaque type) is dyn.
 */
export function compositedType(t: CelType): CelType {
  switch (t.kind) {
    case 'prim':
    case 'dyn':
    case 'any':
      return t;
    case 'list':
      return T.list(compositedType(t.elem));
    case 'map':
      return T.map(compositedType(t.key), compositedType(t.value));
    default:
      return T.dyn;
  }
}

interface AdmissionRequestInput {
  userInfo?: { username?: string; groups?: string[] };
  resource?: { group?: string; resource?: string };
  subResource?: string;
  namespace?: string;
  name?: string;
}

export interface AdmissionInput {
  object?: unknown;
  oldObject?: unknown;
  request?: unknown;
  params?: unknown;
  namespaceObject?: unknown;
}

/** Evaluates an admission expression; variables are evaluated lazily and charged to the same budget. */
export function evaluateAdmission(
  programs: AdmissionPrograms,
  input: AdmissionInput,
  options: EvaluateOptions = {},
): EvalResult {
  const activation: Record<string, Value> = {
    object: fromJSON(input.object ?? null, { unstructured: true }),
    oldObject: fromJSON(input.oldObject ?? null, { unstructured: true }),
    request: fromJSON(input.request ?? {}, { unstructured: true }),
    namespaceObject: fromJSON(input.namespaceObject ?? null, { unstructured: true }),
  };
  if ('params' in input) activation.params = fromJSON(input.params ?? null, { unstructured: true });
  // The authorizer acts as the requesting user; requestResource is preset from the request's attributes.
  const request = (input.request ?? {}) as AdmissionRequestInput;
  const userInfo = request.userInfo ?? {};
  const authorizer = new AuthorizerValue(userInfo.username ?? '', userInfo.groups ?? []);
  activation.authorizer = authorizer;
  activation['authorizer.requestResource'] = new ResourceCheckValue(authorizer, {
    group: request.resource?.group ?? '',
    resource: request.resource?.resource ?? '',
    subresource: request.subResource ?? '',
    namespace: request.namespace ?? '',
    name: request.name ?? '',
  });
  const evaluators = new Map<string, (state: unknown) => Value>();
  activation.variables = new LazyVariables(evaluators);
  for (const v of programs.variables) {
    evaluators.set(v.name, (state) => {
      const r = evaluate(v.program, activation, { ...options, state: state as EvaluateOptions['state'] });
      if (!r.ok) throw r.costExceeded ? new CostLimitExceeded() : new EvalError(r.error);
      return r.value;
    });
  }
  return evaluate(programs.program, activation, options);
}
