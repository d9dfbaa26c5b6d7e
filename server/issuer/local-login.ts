// Who a session opened with the one-time login token is. That token is printed to the terminal of whoever ran
// `porthole serve`, so the session speaks for that operating-system user: on the local cluster it shows as
// `<prefix><os user>` (e.g. `porthole:alice`), not as the cluster's admin.

import { userInfo } from 'node:os';
import type { LoginIdentity } from './identity.ts';

export const LOCAL_LOGIN_GROUP = 'local-login';

export function localLoginIdentity(): LoginIdentity {
  let name = '';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for our uid (some containers): fall back to the uid.
  }
  const subject = name && !name.startsWith('system:') ? name : `uid-${process.getuid?.() ?? 'unknown'}`;
  return { subject, groups: [LOCAL_LOGIN_GROUP] };
}
