// Relays one debugging write (PATCH ephemeralcontainers, POST or DELETE a debug pod) after its body was checked,
// remembers the debug pods a session created, and records every write — refused ones included — for the audit.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cluster, CredentialRequest } from './clusters.ts';
import {
  checkDebugBody,
  debugVerb,
  deleteOptionsBody,
  patchedContainerNames,
  MAX_DEBUG_BODY_BYTES,
  type DebugPods,
  type DebugWriteRecord,
  type DebugWriteRoute,
} from './debug-writes.ts';
import { readBody, sendError } from './http.ts';
import { relayRest, type RestProxyOptions } from './rest-proxy.ts';
import type { ClusterRequest } from './routes.ts';
import { publicSessionId } from '../issuer/session-id.ts';

export interface DebugRelayContext {
  pods: DebugPods;
  rest: RestProxyOptions;
  audit: (record: DebugWriteRecord) => void;
}

function upstreamMessage(json: Buffer | undefined): string | undefined {
  if (!json) return undefined;
  try {
    const value = JSON.parse(json.toString('utf8')) as { kind?: unknown; message?: unknown };
    return value.kind === 'Status' && typeof value.message === 'string' ? value.message : undefined;
  } catch {
    return undefined;
  }
}

function createdPod(json: Buffer | undefined): { name: string; uid: string } | undefined {
  if (!json) return undefined;
  try {
    const value = JSON.parse(json.toString('utf8')) as { metadata?: { name?: unknown; uid?: unknown } };
    const { name, uid } = value.metadata ?? {};
    return typeof name === 'string' && typeof uid === 'string' ? { name, uid } : undefined;
  } catch {
    return undefined;
  }
}

export async function relayDebugWrite(
  req: IncomingMessage,
  res: ServerResponse,
  cluster: Cluster,
  request: ClusterRequest & { route: DebugWriteRoute },
  who: CredentialRequest,
  context: DebugRelayContext,
): Promise<void> {
  const { route } = request;
  const sessionId = who.sessionId;
  const record: DebugWriteRecord = {
    at: Date.now(),
    session: publicSessionId(sessionId),
    cluster: cluster.name,
    verb: debugVerb(route),
    resource: route.kind === 'patch-ephemeral-containers' ? 'pods/ephemeralcontainers' : 'pods',
    namespace: route.namespace,
    ...(route.kind !== 'create-pod' ? { name: route.pod } : {}),
    status: 0,
  };
  const refuse = (status: number, message: string) => {
    context.audit({ ...record, status, refusedBy: 'porthole', message });
    sendError(res, status, message);
  };

  const body = await readBody(req, MAX_DEBUG_BODY_BYTES);
  const checked = checkDebugBody(route, req.headers['content-type'], body);
  if (!checked.ok) return refuse(checked.status, checked.message);

  let write = { body: checked.body, contentType: checked.contentType };
  const created =
    route.kind === 'delete-pod' ? context.pods.find(sessionId, cluster.name, route.namespace, route.pod) : undefined;
  if (route.kind === 'delete-pod') {
    if (!created) {
      return refuse(
        403,
        `Porthole deletes only the debug pods this session created; ${route.namespace}/${route.pod} is not one of them`,
      );
    }
    write = { body: deleteOptionsBody(created.uid), contentType: 'application/json' };
  }
  if (route.kind === 'patch-ephemeral-containers') record.containers = patchedContainerNames(checked.body);

  const outcome = await relayRest(res, cluster, request, who, context.rest, write);
  const ok = outcome.status >= 200 && outcome.status < 300;
  if (route.kind === 'create-pod' && ok) {
    const pod = createdPod(outcome.json);
    if (pod) {
      record.name = pod.name;
      context.pods.record(sessionId, { cluster: cluster.name, namespace: route.namespace, ...pod });
    }
  }
  // Gone either way: deleted now, or already (404), or replaced by another pod of that name (409 on the uid).
  if (created && (ok || outcome.status === 404 || outcome.status === 409)) context.pods.forget(sessionId, created);
  const message = ok ? undefined : upstreamMessage(outcome.json);
  context.audit({
    ...record,
    status: outcome.status,
    ...(ok ? {} : { refusedBy: 'cluster' as const }),
    ...(message ? { message } : {}),
  });
}
