// The apiserver's validation of a built-in object after mutating admission and before validating admission
// (the registry's BeforeCreate/BeforeUpdate between the two admission phases): a 422 Invalid whose message lists
// every field error. Modelled for Pod (create) and apps/v1 Deployment (create and update); other kinds and pod
// updates are not, and `modelled` says so.

import type { Json } from '../jsonpatch.ts';
import type { Status } from '../types.ts';
import { invalidStatus, type FieldError } from './field.ts';
import { builtinDefaults } from '../builtin-defaults.ts';
import { isObj, obj, str, type JsonObject } from './json.ts';
import { validateDeploymentCreate, validateDeploymentUpdate } from './deployment.ts';
import { validatePodCreate } from './pod.ts';

export type { FieldError } from './field.ts';
export { errorBody, errorText } from './field.ts';

export interface ObjectValidation {
  /** false: this kind (or this operation on it) is not modelled, so nothing was checked. */
  modelled: boolean;
  errors: FieldError[];
  /** The 422 Status the apiserver answers, when there are errors. */
  status?: Status;
}

export interface ObjectValidationInput {
  operation: string;
  object: Json;
  oldObject?: Json | null;
  /** The request's namespace, which the apiserver writes into an object that has none. */
  namespace?: string;
  /** The request's name, which wins over the object's (a create that named neither uses generateName). */
  name?: string;
  version: string;
}

export function validateBuiltinObject(input: ObjectValidationInput): ObjectValidation {
  const { object, operation } = input;
  if (!isObj(object) || (operation !== 'CREATE' && operation !== 'UPDATE')) return { modelled: false, errors: [] };
  const rules = { minor: Number(input.version.split('.')[1] ?? '34') };
  const meta = obj(object.metadata);
  // BeforeCreate fills these before validating: the request's namespace, and a name generated from generateName
  // (five random characters after at most 58 of the prefix; ours are fixed, as only their validity matters).
  const filled = { ...meta };
  if (input.namespace && !str(meta.namespace)) filled.namespace = input.namespace;
  if (!str(meta.name) && str(meta.generateName) && operation === 'CREATE')
    filled.name = `${str(meta.generateName).slice(0, 58)}xxxxx`;
  const filledObject: JsonObject = { ...object, metadata: filled };
  // Decoding gives a Deployment the whole Go struct, so even an absent spec or pod template gets its defaults.
  if (object.apiVersion === 'apps/v1' && object.kind === 'Deployment') {
    const spec = { ...obj(object.spec) };
    spec.template = { ...obj(spec.template), spec: obj(obj(spec.template).spec) };
    filledObject.spec = spec;
  }
  const withNamespace = obj(builtinDefaults(filledObject));
  let errors: FieldError[];
  let kind: { group: string; kind: string };
  if (object.apiVersion === 'apps/v1' && object.kind === 'Deployment') {
    kind = { group: 'apps', kind: 'Deployment' };
    errors =
      operation === 'CREATE'
        ? validateDeploymentCreate(withNamespace, rules)
        : validateDeploymentUpdate(withNamespace, obj(input.oldObject ?? null), rules);
  } else if (object.apiVersion === 'v1' && object.kind === 'Pod' && operation === 'CREATE') {
    kind = { group: '', kind: 'Pod' };
    errors = validatePodCreate(withNamespace, rules);
  } else return { modelled: false, errors: [] };
  if (errors.length === 0) return { modelled: true, errors };
  const name = input.name || str(filled.name);
  return { modelled: true, errors, status: invalidStatus(kind, name, errors) };
}
