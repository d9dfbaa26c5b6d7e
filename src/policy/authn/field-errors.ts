// apimachinery's field.Error and its aggregate: `<path>: <Type>[: <value>][: <detail>]`, de-duplicated, one bare,
// several as `[e1, e2]`. Bad values render per version: Go %#v up to 1.33, JSON from 1.34.

import { goQuote } from './go-format.ts';

export type FieldErrorType = 'Required' | 'Invalid' | 'Duplicate' | 'Forbidden' | 'TooMany' | 'Internal';

/** A bad value: a string, a number, or something Go would print with %#v (given as both renderings). */
export type BadValue = string | number | boolean | { goSyntax: string; json: string };

export interface FieldError {
  type: FieldErrorType;
  /** e.g. `jwt[0].issuer.url` */
  field: string;
  badValue?: BadValue;
  detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  Required: 'Required value',
  Invalid: 'Invalid value',
  Duplicate: 'Duplicate value',
  Forbidden: 'Forbidden',
  TooMany: 'Too many',
  Internal: 'Internal error',
};

export function renderFieldError(e: FieldError, minorVersion: number): string {
  let s = `${e.field}: ${TYPE_TEXT[e.type]}`;
  const showsValue = e.type === 'Invalid' || e.type === 'Duplicate' || e.type === 'TooMany';
  if (showsValue && e.badValue !== undefined) s += `: ${renderValue(e.badValue, minorVersion)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

function renderValue(v: BadValue, minorVersion: number): string {
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return minorVersion >= 34 ? v.json : v.goSyntax;
}

/** utilerrors.NewAggregate(...).Error(): identical messages once, one bare, more in brackets. */
export function aggregate(messages: readonly string[]): string {
  const seen = new Set<string>();
  const unique = messages.filter((m) => (seen.has(m) ? false : (seen.add(m), true)));
  if (unique.length === 1) return unique[0]!;
  return `[${unique.join(', ')}]`;
}

export const required = (field: string, detail = ''): FieldError => ({ type: 'Required', field, detail });
export const invalid = (field: string, badValue: BadValue, detail: string): FieldError => ({
  type: 'Invalid',
  field,
  badValue,
  detail,
});
export const duplicate = (field: string, badValue: BadValue): FieldError => ({
  type: 'Duplicate',
  field,
  badValue,
  detail: '',
});
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
export const tooMany = (field: string, actual: number, max: number): FieldError => ({
  type: 'TooMany',
  field,
  badValue: actual,
  detail: `must have at most ${max} items`,
});
