// Who is calling: bearer tokens from the Authorization header or, on WebSocket upgrades, from the
// `base64url.bearer.authorization.k8s.io.<token>` subprotocol (apiserver pkg/authentication/request/websocket).
// Token checking sits behind TokenAuthenticator so an AuthenticationConfiguration evaluator can replace the static
// admin token later.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { unauthorized } from './status.ts';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface TokenAuthenticator {
  /** The user the token belongs to, or null when the token is not accepted. */
  authenticateToken(token: string): Promise<UserInfo | null>;
}

/** One fixed token with full access: the local cluster's admin credential. */
export class StaticTokenAuthenticator implements TokenAuthenticator {
  private readonly expected: Buffer;
  constructor(
    token: string,
    private readonly user: UserInfo,
  ) {
    this.expected = Buffer.from(token, 'utf8');
  }
  async authenticateToken(token: string): Promise<UserInfo | null> {
    const given = Buffer.from(token, 'utf8');
    return given.length === this.expected.length && timingSafeEqual(given, this.expected) ? this.user : null;
  }
}

/** Tries each authenticator in turn, as kube-apiserver's union of token authenticators: the first user wins. */
export class UnionTokenAuthenticator implements TokenAuthenticator {
  constructor(private readonly authenticators: readonly TokenAuthenticator[]) {}
  async authenticateToken(token: string): Promise<UserInfo | null> {
    for (const authenticator of this.authenticators) {
      const user = await authenticator.authenticateToken(token);
      if (user) return user;
    }
    return null;
  }
}

export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

export interface AuthenticatedRequest {
  user: UserInfo;
  /**
   * The Sec-WebSocket-Protocol offer to negotiate with: the client's, or — when the token came in the bearer
   * subprotocol — the remaining entries joined with "," (the apiserver rewrites the header the same way).
   */
  protocolHeader: string | undefined;
}

const RAW_URL_BASE64 = /^[A-Za-z0-9_-]*$/;

/** Splits a Sec-WebSocket-Protocol value like Go's wsstream: on ",", trimming spaces, dropping empty entries. */
export function splitProtocols(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Decodes base64url without padding (Go's base64.RawURLEncoding); null when it is not exactly that. */
export function decodeRawUrlBase64(text: string): Buffer | null {
  if (!RAW_URL_BASE64.test(text) || text.length % 4 === 1) return null;
  return Buffer.from(text, 'base64url');
}

function bearerFromHeader(headers: IncomingHttpHeaders): string | null {
  const value = headers.authorization;
  if (!value) return null;
  const parts = value.split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer' || parts[1] === '') return null;
  return parts[1]!;
}

/**
 * Authenticates a request; throws a 401 StatusError when neither the header nor the subprotocol yields a user.
 * `isWebSocketUpgrade` gates the subprotocol path: the apiserver honours it only on upgrade requests.
 */
export async function authenticateRequest(
  authenticator: TokenAuthenticator,
  headers: IncomingHttpHeaders,
  isWebSocketUpgrade: boolean,
): Promise<AuthenticatedRequest> {
  const protocolHeader = headerValue(headers['sec-websocket-protocol']);
  const headerToken = bearerFromHeader(headers);
  if (headerToken !== null) {
    const user = await authenticator.authenticateToken(headerToken);
    if (user) return { user, protocolHeader };
  }
  if (isWebSocketUpgrade) {
    const offered = splitProtocols(protocolHeader);
    const tokenEntries = offered.filter((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
    if (tokenEntries.length > 0) {
      // Same refusals as the apiserver: several token protocols, nothing else to negotiate, bad encoding, not UTF-8.
      if (tokenEntries.length > 1) throw unauthorized();
      const others = offered.filter((p) => !p.startsWith(BEARER_PROTOCOL_PREFIX));
      if (others.length === 0) throw unauthorized();
      const bytes = decodeRawUrlBase64(tokenEntries[0]!.slice(BEARER_PROTOCOL_PREFIX.length));
      if (!bytes || bytes.length === 0) throw unauthorized();
      let token: string;
      try {
        token = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw unauthorized();
      }
      const user = await authenticator.authenticateToken(token);
      if (user) return { user, protocolHeader: others.join(',') };
    }
  }
  throw unauthorized();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  // Go's Header.Get reads the first line only.
  return Array.isArray(value) ? value[0] : value;
}
