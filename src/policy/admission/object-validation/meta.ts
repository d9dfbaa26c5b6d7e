// ObjectMeta, labels, annotations and label selectors (apimachinery pkg/api/validation and meta/v1/validation).

import type { Json } from '../jsonpatch.ts';
import { forbidden, invalid, required, tooLong, type FieldError } from './field.ts';
import { list, obj, str, stringMap, type JsonObject } from './json.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.ts';

export type NameRule = (name: string, prefix: boolean) => string[];

/** NameIsDNSSubdomain: a generateName prefix may end in `-` (a suffix is appended). */
export const dnsSubdomainName: NameRule = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
const maskTrailingDash = (name: string): string =>
  name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;

export function validateLabels(labels: Json | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of stringMap(labels)) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

const ANNOTATIONS_LIMIT = 256 * 1024;

export function validateAnnotations(annotations: Json | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of stringMap(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    size += new TextEncoder().encode(k).length + new TextEncoder().encode(v).length;
  }
  if (size > ANNOTATIONS_LIMIT) errs.push(tooLong(path, ANNOTATIONS_LIMIT));
  return errs;
}

/** ValidateObjectMeta for a namespaced kind whose namespace the request already filled in. */
export function validateObjectMeta(meta: JsonObject, nameRule: NameRule, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const generateName = str(meta.generateName);
  if (generateName)
    for (const m of nameRule(generateName, true)) errs.push(invalid(`${path}.generateName`, generateName, m));
  const name = str(meta.name);
  if (!name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const m of nameRule(name, false)) errs.push(invalid(`${path}.name`, name, m));
  const namespace = str(meta.namespace);
  if (!namespace) errs.push(required(`${path}.namespace`));
  else for (const m of isDNS1123Label(namespace)) errs.push(invalid(`${path}.namespace`, namespace, m));
  if (typeof meta.generation === 'number' && meta.generation < 0)
    errs.push(invalid(`${path}.generation`, meta.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(meta.labels, `${path}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  return errs;
}

/** metav1.LabelSelector as Go marshals it (matchLabels, then matchExpressions; empty ones omitted). */
export function selectorValue(selector: Json | undefined): unknown {
  if (selector === undefined || selector === null) return null;
  const s = obj(selector);
  const out: Record<string, unknown> = {};
  const labels = stringMap(s.matchLabels);
  if (labels.length) out.matchLabels = Object.fromEntries(labels);
  const exprs = list(s.matchExpressions).map((e) => {
    const x = obj(e);
    const values = list(x.values);
    return { key: str(x.key), operator: str(x.operator), ...(values.length ? { values } : {}) };
  });
  if (exprs.length) out.matchExpressions = exprs;
  return out;
}

export function validateLabelSelector(selector: JsonObject, path: string): FieldError[] {
  const errs = validateLabels(selector.matchLabels, `${path}.matchLabels`);
  list(selector.matchExpressions).forEach((e, i) => {
    const x = obj(e);
    const at = `${path}.matchExpressions[${i}]`;
    const values = list(x.values);
    const operator = str(x.operator);
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0)
        errs.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values.length > 0)
        errs.push(forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else errs.push(invalid(`${at}.operator`, operator, 'not a valid selector operator'));
    for (const m of isQualifiedName(str(x.key))) errs.push(invalid(`${at}.key`, str(x.key), m));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(str(v))) errs.push(invalid(`${at}.values[${j}]`, str(v), m));
    });
  });
  return errs;
}
