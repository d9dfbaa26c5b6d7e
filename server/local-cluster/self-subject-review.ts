// `POST /apis/authentication.k8s.io/v1/selfsubjectreviews` (what `kubectl auth whoami` sends): the user the
// authenticator produced, as kube-apiserver answers it. This is how one checks that a Porthole-minted token maps
// to the prefixed user (issue 8; token-broker-security §6 B4) on the local cluster as on a real one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from './authentication.ts';
import { goJson } from './go-json.ts';
import { apiHeaders, jsonBody, methodNotAllowed } from './status.ts';

export const SELF_SUBJECT_REVIEW_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

export function serveSelfSubjectReview(request: IncomingMessage, response: ServerResponse, user: UserInfo): void {
  if (request.method !== 'POST') throw methodNotAllowed();
  // The request body is an empty SelfSubjectReview; nothing in it changes the answer.
  request.resume();
  const review = {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z') },
    status: {
      userInfo: {
        username: user.username,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.groups.length ? { groups: user.groups } : {}),
        ...(user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {}),
      },
    },
  };
  const text = jsonBody(goJson(review));
  response.writeHead(201, apiHeaders('application/json', Buffer.byteLength(text)));
  response.end(text);
}
