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

// json.Unmarshal into metav1.Status: keys match case-insensitively, null leaves a field at its zero value, unknown
// keys are ignored, and a value of the wrong JSON type is an UnmarshalTypeError, returned as Go words it (Go 1.26:
// innermost struct, then the path of JSON names, then the Go type).
type FieldType = 'string' | 'int32' | 'int64' | Struct | { items: Struct };
interface Struct {
  name: string;
  fields: Record<string, { json: string; type: FieldType; goType: string; path?: string }>;
}
const str = (json: string, goType = 'string') => ({ json, type: 'string' as const, goType });
const LIST_META: Struct = {
  name: 'ListMeta',
  fields: {
    selflink: str('selfLink'),
    resourceversion: str('resourceVersion'),
    continue: str('continue'),
    remainingitemcount: { json: 'remainingItemCount', type: 'int64', goType: 'int64' },
  },
};
const STATUS_CAUSE: Struct = {
  name: 'StatusCause',
  fields: { reason: str('reason', 'v1.CauseType'), message: str('message'), field: str('field') },
};
const STATUS_DETAILS: Struct = {
  name: 'StatusDetails',
  fields: {
    name: str('name'),
    group: str('group'),
    kind: str('kind'),
    uid: str('uid', 'types.UID'),
    causes: { json: 'causes', type: { items: STATUS_CAUSE }, goType: '[]v1.StatusCause' },
    retryafterseconds: { json: 'retryAfterSeconds', type: 'int32', goType: 'int32' },
  },
};
const STATUS: Struct = {
  name: 'Status',
  fields: {
    kind: { ...str('kind'), path: 'TypeMeta.kind' },
    apiversion: { ...str('apiVersion'), path: 'TypeMeta.apiVersion' },
    metadata: { json: 'metadata', type: LIST_META, goType: 'v1.ListMeta' },
    status: str('status'),
    message: str('message'),
    reason: str('reason', 'v1.StatusReason'),
    details: { json: 'details', type: STATUS_DETAILS, goType: 'v1.StatusDetails' },
    code: { json: 'code', type: 'int32', goType: 'int32' },
  },
};

type Decoded = { [key: string]: string | number | Decoded | Decoded[] };

function readStatus(value: unknown): StatusFields | string {
  if (value === null) return toStatusFields({});
  if (!isObject(value)) return typeError(value, 'Go value of type v1.Status');
  const decoded = readStruct(value, STATUS, []);
  return typeof decoded === 'string' ? decoded : toStatusFields(decoded);
}

function readStruct(value: Record<string, unknown>, struct: Struct, path: string[]): Decoded | string {
  const out: Decoded = {};
  for (const [key, v] of Object.entries(value)) {
    const field = struct.fields[key.toLowerCase()];
    if (!field || v === null) continue;
    const fieldPath = [...path, field.path ?? field.json];
    const where = `Go struct field ${struct.name}.${fieldPath.join('.')} of type ${field.goType}`;
    const type = field.type;
    if (type === 'string') {
      if (typeof v !== 'string') return typeError(v, where);
      out[field.json] = v;
    } else if (type === 'int32' || type === 'int64') {
      const limit = type === 'int32' ? 2 ** 31 : 2 ** 63;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -limit || v >= limit) return typeError(v, where);
      out[field.json] = v;
    } else if ('items' in type) {
      if (!Array.isArray(v)) return typeError(v, where);
      const items: Decoded[] = [];
      for (const item of v as unknown[]) {
        if (item !== null && !isObject(item)) {
          return typeError(item, `Go struct field ${struct.name}.${fieldPath.join('.')} of type v1.${type.items.name}`);
        }
        const decoded = readStruct(item ?? {}, type.items, fieldPath);
        if (typeof decoded === 'string') return decoded;
        items.push(decoded);
      }
      out[field.json] = items;
    } else {
      if (!isObject(v)) return typeError(v, where);
      const decoded = readStruct(v, type, fieldPath);
      if (typeof decoded === 'string') return decoded;
      out[field.json] = decoded;
    }
  }
  return out;
}

function toStatusFields(d: Decoded): StatusFields {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const details = d.details as Decoded | undefined;
  const causes = ((details?.causes as Decoded[] | undefined) ?? []).map((c) => ({
    reason: text(c.reason),
    message: text(c.message),
  }));
  return {
    status: text(d.status),
    message: text(d.message),
    reason: text(d.reason),
    code: typeof d.code === 'number' ? d.code : 0,
    details: details ? { causes } : null,
  };
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
  const shown = /of type int(32|64)$/.test(target) ? kind : kind.replace(/^number .*/, 'number');
  return `json: cannot unmarshal ${shown} into ${target}`;
}
