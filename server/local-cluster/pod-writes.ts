// The writes the local cluster accepts, for the debugging flows: create a pod (POST), delete a pod (DELETE), and add
// ephemeral containers (PATCH pods/<pod>/ephemeralcontainers, the strategic-merge patch `kubectl debug` sends; a
// JSON merge patch of spec.ephemeralContainers works too). Answers are the apiserver's objects and Status errors;
// a created container runs `command` + `args`, or `/bin/sh` when neither is given (what a busybox image would run).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { goJson } from './go-json.ts';
import { podObject } from './objects.ts';
import type { PodRuntime, PodRuntimeManager } from './pod-runtime.ts';
import type { ContainerConfig, PodConfig } from './pods-config.ts';
import { apiHeaders, jsonBody, notFound, StatusError, type StatusCause } from './status.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_BODY = 3 * 1024 * 1024;
const DEFAULT_COMMAND = ['/bin/sh'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface WriteState {
  runtime: PodRuntimeManager;
  namespaces: Array<{ name: string }>;
  confined: boolean;
}

function send(response: ServerResponse, code: number, body: unknown): void {
  const text = jsonBody(goJson(body));
  response.writeHead(code, apiHeaders('application/json', Buffer.byteLength(text)));
  response.end(text);
}

function invalid(kind: string, name: string, causes: StatusCause[]): StatusError {
  const list = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new StatusError({
    status: 'Failure',
    message: `${kind} "${name}" is invalid: ${causes.length > 1 ? `[${list}]` : list}`,
    reason: 'Invalid',
    details: { name, kind: kind.toLowerCase(), causes },
    code: 422,
  });
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(
          new StatusError({
            status: 'Failure',
            message: 'request entity too large',
            reason: 'RequestEntityTooLarge',
            code: 413,
          }),
        );
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch (error) {
        reject(
          new StatusError({
            status: 'Failure',
            message: `couldn't get version/kind; json parse error: ${(error as Error).message}`,
            reason: 'BadRequest',
            code: 400,
          }),
        );
      }
    });
    request.on('error', reject);
  });
}

/** A container of a created pod (or an ephemeral one), with the field errors of what the local cluster needs. */
function containerConfig(value: unknown, field: string, causes: StatusCause[]): ContainerConfig | undefined {
  if (!isObj(value)) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field });
    return undefined;
  }
  const name = typeof value.name === 'string' ? value.name : '';
  if (name === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}.name` });
  else if (name.length > 63 || !DNS1123_LABEL.test(name))
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
      field: `${field}.name`,
    });
  const image = typeof value.image === 'string' ? value.image : '';
  if (image === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}.image` });
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const command = [...strings(value.command), ...strings(value.args)];
  const env = (Array.isArray(value.env) ? value.env : [])
    .filter(isObj)
    .filter((e) => typeof e.name === 'string' && typeof e.value === 'string')
    .map((e) => ({ name: e.name as string, value: e.value as string }));
  return {
    name,
    image,
    command: command.length > 0 ? command : DEFAULT_COMMAND,
    ...(command.length > 0 ? {} : { imageDefaultCommand: true }),
    tty: value.tty === true,
    stdin: value.stdin === true,
    env,
    ...(typeof value.targetContainerName === 'string' ? { targetContainerName: value.targetContainerName } : {}),
  };
}

/** POST /api/v1/namespaces/<ns>/pods */
export async function createPod(
  request: IncomingMessage,
  response: ServerResponse,
  state: WriteState,
  namespace: string,
): Promise<void> {
  const body = await readJson(request);
  if (!isObj(body) || body.kind !== 'Pod' || body.apiVersion !== 'v1') {
    throw new StatusError({
      status: 'Failure',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json',
      reason: 'BadRequest',
      code: 400,
    });
  }
  const metadata = isObj(body.metadata) ? body.metadata : {};
  const spec = isObj(body.spec) ? body.spec : {};
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    throw new StatusError({
      status: 'Failure',
      message: 'the namespace of the provided object does not match the namespace sent on the request',
      reason: 'BadRequest',
      code: 400,
    });
  }
  if (!state.namespaces.some((n) => n.name === namespace)) throw notFound('namespaces', namespace);
  let name = typeof metadata.name === 'string' ? metadata.name : '';
  if (name === '' && typeof metadata.generateName === 'string') {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    name = metadata.generateName + Array.from(randomBytes(5), (b) => alphabet[b % alphabet.length]).join('');
  }
  const causes: StatusCause[] = [];
  if (name === '')
    causes.push({
      reason: 'FieldValueRequired',
      message: 'Required value: name or generateName is required',
      field: 'metadata.name',
    });
  else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
      field: 'metadata.name',
    });
  const list = (key: string) => (Array.isArray(spec[key]) ? (spec[key] as unknown[]) : []);
  if (list('containers').length === 0)
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' });
  const containers = list('containers').map((c, i) => containerConfig(c, `spec.containers[${i}]`, causes));
  const initContainers = list('initContainers').map((c, i) => containerConfig(c, `spec.initContainers[${i}]`, causes));
  const seen = new Set<string>();
  for (const [i, c] of [...initContainers, ...containers].entries()) {
    if (c && c.name && seen.has(c.name))
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: "${c.name}"`,
        field: `spec.containers[${i}].name`,
      });
    if (c) seen.add(c.name);
  }
  if (causes.length) throw invalid('Pod', name, causes);
  if (state.runtime.findPod(namespace, name)) {
    throw new StatusError({
      status: 'Failure',
      message: `pods "${name}" already exists`,
      reason: 'AlreadyExists',
      details: { name, kind: 'pods' },
      code: 409,
    });
  }
  const strings = (v: unknown) =>
    isObj(v)
      ? (Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<string, string>)
      : {};
  const config: PodConfig = {
    namespace,
    name,
    labels: strings(metadata.labels),
    annotations: strings(metadata.annotations),
    initContainers: initContainers as ContainerConfig[],
    containers: containers as ContainerConfig[],
    ephemeralContainers: [],
    isolated: true,
    ...(typeof spec.hostUsers === 'boolean' ? { hostUsers: spec.hostUsers } : {}),
  };
  const pod = state.runtime.addPod(config);
  send(response, 201, podObject(pod, state.confined));
}

/** DELETE /api/v1/namespaces/<ns>/pods/<name>: the pod as it was, its processes hung up. */
export async function deletePod(response: ServerResponse, state: WriteState, pod: PodRuntime): Promise<void> {
  const object = podObject(pod, state.confined);
  await state.runtime.deletePod(pod);
  send(response, 200, object);
}

/** PATCH /api/v1/namespaces/<ns>/pods/<name>/ephemeralcontainers */
export async function patchEphemeralContainers(
  request: IncomingMessage,
  response: ServerResponse,
  state: WriteState,
  pod: PodRuntime,
): Promise<void> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (type !== 'application/strategic-merge-patch+json' && type !== 'application/merge-patch+json') {
    throw new StatusError({
      status: 'Failure',
      message: `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      reason: 'UnsupportedMediaType',
      code: 415,
    });
  }
  const body = await readJson(request);
  const spec = isObj(body) && isObj(body.spec) ? body.spec : {};
  const entries = Array.isArray(spec.ephemeralContainers) ? spec.ephemeralContainers : [];
  const causes: StatusCause[] = [];
  const added: ContainerConfig[] = [];
  const names = new Set(pod.containers.map((c) => c.config.name));
  const targets = new Set(pod.containers.filter((c) => c.kind !== 'ephemeral').map((c) => c.config.name));
  entries.forEach((entry, i) => {
    const field = `spec.ephemeralContainers[${pod.config.ephemeralContainers.length + added.length}]`;
    const existing = isObj(entry) ? pod.config.ephemeralContainers.find((c) => c.name === entry.name) : undefined;
    if (existing) return; // strategic merge by name: an entry already there is kept as it is
    const config = containerConfig(entry, field, causes);
    if (!config) return;
    if (names.has(config.name))
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: "${config.name}"`,
        field: `${field}.name`,
      });
    if (config.targetContainerName !== undefined && !targets.has(config.targetContainerName)) {
      causes.push({
        reason: 'FieldValueNotFound',
        message: `Not found: "${config.targetContainerName}"`,
        field: `${field}.targetContainerName`,
      });
    }
    names.add(config.name);
    added.push(config);
    void i;
  });
  if (causes.length) throw invalid('Pod', pod.config.name, causes);
  for (const config of added) state.runtime.addEphemeralContainer(pod, config);
  send(response, 200, podObject(pod, state.confined));
}
