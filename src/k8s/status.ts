// Channel 3: the metav1.Status that ends a v4/v5 session (exec-protocol.md §2.6), read the way client-go's
// errorDecoderV4 reads it, so every verdict and every message matches kubectl's.
import { goJsonSyntaxError, goQuote } from './go-json.ts';
import type { ExecResult } from './types.ts';

/** metav1.Status reason and cause type for a command that exited non-zero (apimachinery remotecommand). */
export const NON_ZERO_EXIT_CODE_REASON = 'NonZeroExitCode';
export const EXIT_CODE_CAUSE_TYPE = 'ExitCode';

const PREFIX = 'error stream protocol error';

/** Decodes the bytes received on channel 3 (all of them, concatenated) into how the command ended. */
export function decodeErrorChannel(bytes: Uint8Array): ExecResult {
  const text = new TextDecoder().decode(bytes);
  const syntaxError = goJsonSyntaxError(bytes);
  if (syntaxError !== null) return protocolError(`${PREFIX}: ${syntaxError} in ${goQuote(text)}`);
  const value: unknown = JSON.parse(text);
  const status = readStatus(value);
  if (typeof status === 'string') return protocolError(`${PREFIX}: ${status} in ${goQuote(text)}`);
  return interpretStatus(status);
}

interface StatusFields {
  status: string;
  message: string;
  reason: string;
  code: number;
  details: { causes: Array<{ reason: string; message: string }> } | null;
}

function interpretStatus(s: StatusFields): ExecResult {
  if (s.status === 'Success') return { kind: 'success' };
  if (s.status !== 'Failure') return protocolError(`${PREFIX}: unknown error`);
  if (s.reason === NON_ZERO_EXIT_CODE_REASON) {
    if (s.details === null) return protocolError(`${PREFIX}: details must be set`);
    const cause = s.details.causes.find((c) => c.reason === EXIT_CODE_CAUSE_TYPE);
    if (!cause) return protocolError(`${PREFIX}: no ${EXIT_CODE_CAUSE_TYPE} cause given`);
    // strconv.ParseUint(message, 10, 8): decimal digits only, no sign, no spaces, at most 255.
    const exitCode = /^[0-9]+$/.test(cause.message) ? Number(cause.message) : NaN;
    if (!(exitCode <= 255)) return protocolError(`${PREFIX}: invalid exit code value ${goQuote(cause.message)}`);
    return { kind: 'exit', exitCode, message: `command terminated with exit code ${exitCode}` };
  }
  return { kind: 'failure', reason: s.reason, message: s.message, ...(s.code !== 0 ? { code: s.code } : {}) };
}

function protocolError(message: string): ExecResult {
  return { kind: 'protocol-error', message };
}

// json.Unmarshal into metav1.Status: keys match case-insensitively, null leaves a field at its zero value, and a
// value of the wrong JSON type is an UnmarshalTypeError (returned as its Go message).
function readStatus(value: unknown): StatusFields | string {
  const fields: StatusFields = { status: '', message: '', reason: '', code: 0, details: null };
  if (value === null) return fields;
  if (!isObject(value)) return typeError(value, 'Go value of type v1.Status');
  for (const [key, v] of Object.entries(value)) {
    const name = key.toLowerCase();
    if (v === null) continue;
    if (name === 'status' || name === 'message' || name === 'reason') {
      if (typeof v !== 'string') {
        const type = name === 'reason' ? 'v1.StatusReason' : 'string';
        return typeError(v, `Go struct field Status.${name} of type ${type}`);
      }
      fields[name] = v;
    } else if (name === 'code') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
        return typeError(v, 'Go struct field Status.code of type int32');
      }
      fields.code = v;
    } else if (name === 'details') {
      if (!isObject(v)) return typeError(v, 'Go struct field Status.details of type v1.StatusDetails');
      const details = readDetails(v);
      if (typeof details === 'string') return details;
      fields.details = details;
    }
  }
  return fields;
}

function readDetails(value: Record<string, unknown>): StatusFields['details'] | string {
  const causes: Array<{ reason: string; message: string }> = [];
  for (const [key, v] of Object.entries(value)) {
    if (key.toLowerCase() !== 'causes' || v === null) continue;
    if (!Array.isArray(v)) return typeError(v, 'Go struct field StatusDetails.details.causes of type []v1.StatusCause');
    causes.length = 0;
    for (const c of v as unknown[]) {
      const cause = { reason: '', message: '' };
      if (c !== null && !isObject(c)) {
        return typeError(c, 'Go struct field StatusDetails.details.causes of type v1.StatusCause');
      }
      for (const [k, cv] of Object.entries(c ?? {})) {
        const name = k.toLowerCase();
        if ((name !== 'reason' && name !== 'message') || cv === null) continue;
        if (typeof cv !== 'string') {
          const type = name === 'reason' ? 'v1.CauseType' : 'string';
          return typeError(cv, `Go struct field StatusCause.details.causes.${name} of type ${type}`);
        }
        cause[name] = cv;
      }
      causes.push(cause);
    }
  }
  return { causes };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeError(value: unknown, target: string): string {
  const kind = Array.isArray(value)
    ? 'array'
    : typeof value === 'object'
      ? 'object'
      : typeof value === 'boolean'
        ? 'bool'
        : typeof value === 'number'
          ? `number ${String(value)}`
          : 'string';
  // Go names the number's literal only when the target is numeric (it did not fit); otherwise just "number".
  const shown = target.endsWith('int32') ? kind : kind.replace(/^number .*/, 'number');
  return `json: cannot unmarshal ${shown} into ${target}`;
}
