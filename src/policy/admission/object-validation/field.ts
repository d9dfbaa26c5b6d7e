// Field errors as apimachinery's util/validation/field renders them: `<path>: <type>[: <value>][: <detail>]`,
// aggregated `[a, b]` with repeats dropped, and the 422 Status `<Kind>.<group> "<name>" is invalid: …`.

import type { Status } from '../types.ts';

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueDuplicate'
  | 'FieldValueNotSupported'
  | 'FieldValueNotFound'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** Go's rendering of the bad value (`%q` of a string, `%v` of a number, JSON otherwise), when the type shows one. */
  value?: string;
  detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueNotFound: 'Not found',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
};

/** Go's rendering of a bad value: strings quoted, numbers and booleans bare, anything else as JSON. */
export function goValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

export const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const forbidden = (field: string, detail: string): FieldError => ({
  type: 'FieldValueForbidden',
  field,
  detail,
});
export const invalid = (field: string, value: unknown, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  value: goValue(value),
  detail,
});
export const duplicate = (field: string, value: unknown): FieldError => ({
  type: 'FieldValueDuplicate',
  field,
  value: goValue(value),
  detail: '',
});
export const notFound = (field: string, value: unknown): FieldError => ({
  type: 'FieldValueNotFound',
  field,
  value: goValue(value),
  detail: '',
});
export const notSupported = (field: string, value: unknown, supported: readonly string[]): FieldError => ({
  type: 'FieldValueNotSupported',
  field,
  value: goValue(value),
  detail: supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : '',
});
export const tooLong = (field: string, max: number): FieldError => ({
  type: 'FieldValueTooLong',
  field,
  detail: `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}`,
});

/** ErrorBody: the message without the field (a Status cause's message). */
export function errorBody(e: FieldError): string {
  const head = e.value === undefined ? TYPE_TEXT[e.type] : `${TYPE_TEXT[e.type]}: ${e.value}`;
  return e.detail ? `${head}: ${e.detail}` : head;
}

export const errorText = (e: FieldError): string => `${e.field}: ${errorBody(e)}`;

/** ErrorList.ToAggregate().Error(): one error bare, several in brackets, repeated texts once. */
export function aggregate(errors: readonly FieldError[]): string {
  const texts = [...new Set(errors.map(errorText))];
  return texts.length === 1 ? texts[0]! : `[${texts.join(', ')}]`;
}

/** apierrors.NewInvalid: 422 Invalid, the qualified kind and name, one cause per field error. */
export function invalidStatus(
  kind: { group: string; kind: string },
  name: string,
  errors: readonly FieldError[],
): Status {
  const qualified = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  return {
    code: 422,
    reason: 'Invalid',
    message: `${qualified} ${JSON.stringify(name)} is invalid: ${aggregate(errors)}`,
    details: {
      name,
      group: kind.group,
      kind: kind.kind,
      causes: errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })),
    },
  };
}
