// The CEL page's environments and the variables each declares. Apart from the evaluator, so the page's UI can
// name them without pulling the CEL engine into the main thread's bundle.

export type CelEnvName = 'validation' | 'mutation' | 'matchCondition' | 'authn';
/** The mutation environment accepts a result of any type, which is what a scratch pad wants by default. */
export const DEFAULT_CEL_ENV: CelEnvName = 'mutation';

export const CEL_ENV_VARIABLES: Record<CelEnvName, readonly string[]> = {
  validation: ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'authorizer'],
  mutation: ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'authorizer'],
  matchCondition: ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'authorizer'],
  authn: ['claims', 'user'],
};
