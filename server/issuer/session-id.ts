// The `sid` claim. The session id in the cookie is a bearer secret, and minted tokens land in every cluster's
// audit log (spec §2.1 "Session correlation"), so the claim carries a one-way digest of it instead: it names the
// session for correlation and cannot be turned back into the cookie.

import { createHash } from 'node:crypto';

/** 128 bits of SHA-256 over a label and the session id, base64url. */
export function publicSessionId(sessionId: string): string {
  return createHash('sha256')
    .update('porthole session id\0', 'utf8')
    .update(sessionId, 'utf8')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
