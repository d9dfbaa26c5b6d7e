// Deployment validation (k8s.io/kubernetes pkg/apis/apps/validation ValidateDeployment/ValidateDeploymentUpdate).

import { selectorMatches } from '../matching.ts';
import type { LabelSelector } from '../types.ts';
import { forbidden, invalid, notSupported, required, type FieldError } from './field.ts';
import { int, isObj, obj, present, str, stringMap, type JsonObject } from './json.ts';
import { dnsSubdomainName, selectorValue, validateLabelSelector, validateObjectMeta } from './meta.ts';
import { regexError } from './names.ts';
import { validatePodTemplateSpec, type PodRules } from './pod.ts';
import type { Json } from '../jsonpatch.ts';

const NEGATIVE = 'must be greater than or equal to 0';
const nonNegative = (o: JsonObject, key: string, path: string): FieldError[] =>
  present(o, key) && int(o[key]) < 0 ? [invalid(path, int(o[key]), NEGATIVE)] : [];

/** An int-or-percent's value: the number, or the percentage's number. */
function intOrPercent(v: Json | undefined): { value: number; percent: boolean; ok: boolean } {
  if (typeof v === 'number') return { value: v, percent: false, ok: true };
  const m = /^([0-9]+)%$/.exec(str(v));
  return m ? { value: Number(m[1]), percent: true, ok: true } : { value: 0, percent: false, ok: typeof v !== 'string' };
}

function validateStrategy(strategy: JsonObject, path: string): FieldError[] {
  const type = str(strategy.type);
  if (type === 'Recreate')
    return present(strategy, 'rollingUpdate')
      ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")]
      : [];
  if (type !== 'RollingUpdate') return [notSupported(path, strategy, ['Recreate', 'RollingUpdate'])];
  if (!present(strategy, 'rollingUpdate'))
    return [required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
  const ru = obj(strategy.rollingUpdate);
  const at = `${path}.rollingUpdate`;
  const errs: FieldError[] = [];
  for (const key of ['maxUnavailable', 'maxSurge']) {
    const v = intOrPercent(ru[key]);
    if (!v.ok)
      errs.push(
        invalid(
          `${at}.${key}`,
          ru[key],
          regexError(
            "a valid percent string must be a numeric string followed by an ending '%'",
            '[0-9]+%',
            '1%',
            '93%',
          ),
        ),
      );
    else if (v.value < 0) errs.push(invalid(`${at}.${key}`, ru[key], NEGATIVE));
  }
  if (intOrPercent(ru.maxUnavailable).value === 0 && intOrPercent(ru.maxSurge).value === 0)
    errs.push(invalid(`${at}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  const mu = intOrPercent(ru.maxUnavailable);
  if (mu.percent && mu.value > 100)
    errs.push(invalid(`${at}.maxUnavailable`, ru.maxUnavailable, 'must not be greater than 100%'));
  return errs;
}

/** ValidateDeploymentSpec, on a spec with its defaults (index.ts applies them). */
function validateDeploymentSpec(spec: JsonObject, rules: PodRules): FieldError[] {
  const errs = nonNegative(spec, 'replicas', 'spec.replicas');
  const selector = isObj(spec.selector) ? spec.selector : undefined;
  // LabelSelectorAsSelector fails on any requirement ValidateLabelSelector refuses (its own checks are the same).
  const selectorErrs = selector ? validateLabelSelector(selector, 'spec.selector') : [];
  const expressions = Array.isArray(selector?.matchExpressions) ? selector.matchExpressions : [];
  const empty = selector !== undefined && stringMap(selector.matchLabels).length + expressions.length === 0;
  if (!selector) errs.push(required('spec.selector'));
  else {
    errs.push(...selectorErrs);
    if (empty) errs.push(invalid('spec.selector', selectorValue(selector), 'empty selector is invalid for deployment'));
  }
  const template = obj(spec.template);
  const templateMeta = obj(template.metadata);
  const podTemplate = { ...template, spec: obj(template.spec) };
  if (selectorErrs.length) errs.push(invalid('spec.selector', selectorValue(selector), 'invalid label selector'));
  else {
    // A nil selector selects nothing (so it never matches); an empty one everything (so it is not checked).
    const labels = Object.fromEntries(stringMap(templateMeta.labels));
    if (!empty && (!selector || !selectorMatches(selector as LabelSelector, labels)))
      errs.push(
        invalid(
          'spec.template.metadata.labels',
          isObj(templateMeta.labels) ? labels : null,
          '`selector` does not match template `labels`',
        ),
      );
    errs.push(...validatePodTemplateSpec(podTemplate, 'spec.template', rules));
    const restartPolicy = str(podTemplate.spec.restartPolicy);
    if (restartPolicy !== 'Always')
      errs.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
    if (present(podTemplate.spec, 'activeDeadlineSeconds'))
      errs.push(
        forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'),
      );
  }
  errs.push(...validateStrategy(obj(spec.strategy), 'spec.strategy'));
  errs.push(...nonNegative(spec, 'minReadySeconds', 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec, 'revisionHistoryLimit', 'spec.revisionHistoryLimit'));
  if (present(spec, 'progressDeadlineSeconds')) {
    errs.push(...nonNegative(spec, 'progressDeadlineSeconds', 'spec.progressDeadlineSeconds'));
    if (int(spec.progressDeadlineSeconds) <= int(spec.minReadySeconds))
      errs.push(
        invalid(
          'spec.progressDeadlineSeconds',
          int(spec.progressDeadlineSeconds),
          'must be greater than minReadySeconds',
        ),
      );
  }
  return errs;
}

export function validateDeploymentCreate(deployment: JsonObject, rules: PodRules): FieldError[] {
  return [
    ...validateObjectMeta(obj(deployment.metadata), dnsSubdomainName),
    ...validateDeploymentSpec(obj(deployment.spec), rules),
  ];
}

/** ValidateDeploymentUpdate (the modelled part): the spec as on create, and an immutable selector. */
export function validateDeploymentUpdate(deployment: JsonObject, old: JsonObject, rules: PodRules): FieldError[] {
  const spec = obj(deployment.spec);
  const errs = validateDeploymentSpec(spec, rules);
  const now = selectorValue(spec.selector);
  if (JSON.stringify(now) !== JSON.stringify(selectorValue(obj(old.spec).selector)))
    errs.push(invalid('spec.selector', now, 'field is immutable'));
  return errs;
}
