// The inputs of one admission evaluation, in the shape of one vector of admission-vectors.json (and of
// `porthole admission --input FILE`).

import type { Json } from './jsonpatch.ts';

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface RequestAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  kind: { group: string; version: string; kind: string };
  resource: GroupVersionResource;
  subResource?: string;
  namespace?: string;
  name?: string;
  userInfo?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  dryRun?: boolean;
  options?: Json;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface NamedRuleWithOperations {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  scope?: string;
  resourceNames?: string[];
}

export interface MatchResources {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  resourceRules?: NamedRuleWithOperations[];
  excludeResourceRules?: NamedRuleWithOperations[];
  matchPolicy?: 'Exact' | 'Equivalent';
}

export interface NamedExpression {
  name: string;
  expression: string;
}

export interface Mutation {
  patchType: string;
  applyConfiguration?: { expression: string };
  jsonPatch?: { expression: string };
}

export interface Validation {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
}

export interface PolicySpec {
  paramKind?: { apiVersion?: string; kind?: string };
  matchConstraints?: MatchResources;
  variables?: NamedExpression[];
  matchConditions?: NamedExpression[];
  failurePolicy?: 'Fail' | 'Ignore';
  // MutatingAdmissionPolicy
  mutations?: Mutation[];
  reinvocationPolicy?: 'Never' | 'IfNeeded';
  // ValidatingAdmissionPolicy
  validations?: Validation[];
  auditAnnotations?: { key: string; valueExpression: string }[];
}

export interface Policy {
  apiVersion?: string;
  kind: 'MutatingAdmissionPolicy' | 'ValidatingAdmissionPolicy';
  metadata: { name: string };
  spec: PolicySpec;
}

export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: LabelSelector;
  parameterNotFoundAction?: 'Allow' | 'Deny';
}

export interface Binding {
  apiVersion?: string;
  kind: 'MutatingAdmissionPolicyBinding' | 'ValidatingAdmissionPolicyBinding';
  metadata: { name: string };
  spec: { policyName: string; paramRef?: ParamRef; matchResources?: MatchResources; validationActions?: string[] };
}

export interface AdmissionRequestInput {
  /** Kubernetes minor version, "1.30" … "1.34" (default 1.34). */
  version?: string;
  /** How much of the apiserver to model: `patcher` (policy evaluation only) or the whole dispatcher. */
  level?: 'patcher' | 'dispatcher' | 'apiserver';
  request: RequestAttributes;
  policies: Policy[];
  bindings?: Binding[];
  params?: Json[];
  object: Json;
  oldObject?: Json;
  namespaceObject?: Json;
  authorizer?: { default?: 'allow' | 'deny' | 'noOpinion'; rules?: unknown[] };
  /**
   * CustomResourceDefinitions (apiextensions.k8s.io/v1) the cluster serves: their served versions are
   * equivalent resources for matchPolicy Equivalent.
   */
  customResourceDefinitions?: Json[];
  /**
   * Defaulting functions the scheme runs on the object after every applied mutation (dispatcher and apiserver
   * levels), each filling one field when it is absent: how a vector states the defaulter its upstream test
   * registered. At level apiserver the apiserver's own defaults of Pod and Deployment run too (builtin-defaults.ts).
   */
  defaulting?: FieldDefault[];
}

/** One field a defaulting function fills when absent, for objects of one apiVersion and kind. */
export interface FieldDefault {
  apiVersion: string;
  kind: string;
  /** The path of the field from the object's root, one key per element. */
  field: string[];
  value: Json;
}

/** The API Status of a rejected request. */
export interface Status {
  code: number;
  reason: string;
  message: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message: string; field?: string }[];
  };
}

/** What the command line prints: exactly one of these. */
export type AdmissionOutcome =
  | { object: Json; warnings?: string[]; auditAnnotations?: Record<string, string> }
  | { error: { message: string; status: Status } }
  | { allowed: true; warnings: string[]; auditAnnotations: Record<string, string> }
  | { createError: string };
