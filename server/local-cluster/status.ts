// metav1.Status: the body of every API error, and (without kind/apiVersion) the payload of the exec/attach
// status channel. Field order is Go's struct order — metadata, status, message, reason, details, code — because
// clients and golden transcripts compare bytes.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { goJson } from './go-json.ts';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

export interface Status {
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** The Status as Go marshals it, `metadata` first; `withKind` adds the TypeMeta an HTTP body carries. */
export function statusJson(status: Status, withKind: boolean): string {
  const ordered: Record<string, unknown> = withKind ? { kind: 'Status', apiVersion: 'v1' } : {};
  ordered.metadata = {};
  ordered.status = status.status;
  if (status.message) ordered.message = status.message;
  if (status.reason) ordered.reason = status.reason;
  if (status.details) {
    const details: Record<string, unknown> = {};
    if (status.details.name) details.name = status.details.name;
    if (status.details.group) details.group = status.details.group;
    if (status.details.kind) details.kind = status.details.kind;
    if (status.details.causes) details.causes = status.details.causes.map(orderCause);
    ordered.details = details;
  }
  if (status.code) ordered.code = status.code;
  return goJson(ordered);
}

function orderCause(cause: StatusCause): Record<string, string> {
  const out: Record<string, string> = {};
  if (cause.reason) out.reason = cause.reason;
  if (cause.message) out.message = cause.message;
  if (cause.field) out.field = cause.field;
  return out;
}

/** An error that becomes an HTTP response with a Status body (apimachinery's StatusError). */
export class StatusError extends Error {
  constructor(readonly status: Status & { code: number }) {
    super(status.message);
  }
}

export const notFound = (kind: string, name: string) =>
  new StatusError({
    status: 'Failure',
    message: `${kind} "${name}" not found`,
    reason: 'NotFound',
    details: { name, kind },
    code: 404,
  });

export const badRequest = (message: string) =>
  new StatusError({ status: 'Failure', message, reason: 'BadRequest', code: 400 });

export const unauthorized = () =>
  new StatusError({ status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });

export const methodNotAllowed = () =>
  new StatusError({
    status: 'Failure',
    message: 'the server does not allow this method on the requested resource',
    reason: 'MethodNotAllowed',
    details: {},
    code: 405,
  });

export const resourceNotFound = () =>
  new StatusError({
    status: 'Failure',
    message: 'the server could not find the requested resource',
    reason: 'NotFound',
    details: {},
    code: 404,
  });

export const forbidden = (message: string) =>
  new StatusError({ status: 'Failure', message, reason: 'Forbidden', code: 403 });

/** apierrors.NewInternalError: the message gains the prefix, the cause keeps the bare text. */
export function internalError(message: string): Status {
  return {
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

/**
 * Response headers in the order the apiserver's Go server writes them (sorted, Date and Content-Length last). Every
 * apiserver response carries an Audit-Id.
 */
export function apiHeaders(
  contentType: string,
  length: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'Audit-Id': randomUUID(),
    'Cache-Control': 'no-cache, private',
    'Content-Type': contentType,
    ...extra,
    Date: new Date().toUTCString(),
    'Content-Length': String(length),
  };
}

/** An API object or Status as the apiserver's JSON serializer writes it: compact, then a newline. */
export const jsonBody = (json: string) => `${json}\n`;

export function sendStatus(response: ServerResponse, error: StatusError): void {
  const body = jsonBody(statusJson(error.status, true));
  response.writeHead(error.status.code, apiHeaders('application/json', Buffer.byteLength(body)));
  response.end(body);
}

/**
 * The same Status written straight onto a raw socket (an upgrade request has no ServerResponse). Unlike the
 * apiserver we close the connection afterwards: Node has detached the socket from its HTTP parser by then.
 */
export function rawStatusResponse(error: StatusError): Buffer {
  const body = jsonBody(statusJson(error.status, true));
  const reason = HTTP_REASONS[error.status.code] ?? 'Error';
  const headers = Object.entries(apiHeaders('application/json', Buffer.byteLength(body), {}))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return Buffer.from(`HTTP/1.1 ${error.status.code} ${reason}\r\n${headers}Connection: close\r\n\r\n${body}`);
}

export const HTTP_REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
};
