// The Kubernetes CEL environment: compile, check and evaluate CEL as kube-apiserver 1.30–1.34 does.
// See README.md in this folder for what is implemented per library and version.

export { compile, evaluate, display, PER_CALL_LIMIT } from './compile.ts';
export type { CelIssue, CompileResult, EvalResult, EvaluateOptions, Program } from './compile.ts';
export { COST_LIMIT_MESSAGE } from './interpreter.ts';
export { createEnvironment } from './env.ts';
export type { Environment, EnvironmentOptions } from './env.ts';
export {
  SUPPORTED_VERSIONS,
  KUBERNETES_LIBRARIES,
  admissionEnvironment,
  authnEnvironment,
  claimsValue,
  compileAdmission,
  compositedType,
  evaluateAdmission,
  minorOf,
} from './kubernetes.ts';
export type {
  AdmissionEnvOptions,
  AdmissionInput,
  AdmissionPrograms,
  AdmissionUse,
  AuthnEnvOptions,
  AuthnUse,
  CompositedVariable,
  KubernetesVersion,
} from './kubernetes.ts';
export { T, typeString } from './types.ts';
export { escapeFieldName, schemaTypes } from './schema-types.ts';
export type { RefResolver, SchemaTypeOptions, SchemaTypes } from './schema-types.ts';
export { mockAuthorizer, CHECK_COST } from './lib/authz.ts';
export type { AuthorizationAttributes, AuthorizationDecision, Authorizer, MockAuthorizerRule } from './lib/authz.ts';
export type { CelType } from './types.ts';
export { EvalError, MapValue, ObjectValue, OptionalValue, fromJSON, toJSON, typeName } from './values.ts';
export { runCelRequest, DEFAULT_VERSION } from './run.ts';
export type { CelRequest, CelResponse } from './run.ts';
export { createCelWorkerClient, timeoutMessage, DEFAULT_TIMEOUT_MS } from './worker/client.ts';
export type { CelWorkerClient } from './worker/client.ts';
export type { WorkerLike, CelWorkerRequest, CelWorkerResponse } from './worker/protocol.ts';
export type { Value } from './values.ts';
