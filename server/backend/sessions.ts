// The server-side sessions a login buys (the one-time login token printed at start, or OpenID Connect), and
// the cookie that names them. The browser only ever holds an opaque random session id in an HttpOnly cookie;
// who the session speaks for stays here.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LoginIdentity } from '../issuer/identity.ts';

/** The cookie over plain http (loopback). Over TLS the `__Host-` form is used: Secure, Path=/, no Domain. */
export const SESSION_COOKIE = 'porthole_session';
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

/** 256 random bits, base64url: safe in a URL fragment and far above the 128-bit floor. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes inputs of any length comparable without leaking the length. */
export function secretsEqual(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** How a session was logged in, and who it speaks for. */
export interface SessionUser {
  readonly method: 'login-token' | 'oidc';
  /** What minted tokens carry as `sub` and `groups` (unprefixed: the cluster applies its prefix). */
  readonly identity: LoginIdentity;
  /** A name for people (the IdP's preferred_username, name or e-mail; else the subject). */
  readonly displayName: string;
}

export interface Session {
  readonly id: string;
  readonly user: SessionUser;
  readonly createdAt: number;
  lastSeenAt: number;
  /** Called once when the session ends (logout, expiry, shutdown): open shells close through these. */
  readonly onEnd: Set<(why: string) => void>;
}

export interface SessionOptions {
  /** Idle expiry: no request and no shell traffic for this long ends the session. Default 8 h. */
  idleTimeoutMs?: number;
  /** Absolute expiry from login, whatever the activity. Default 24 h. */
  absoluteTimeoutMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  private readonly now: () => number;

  constructor(options: SessionOptions = {}) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 8 * 60 * 60 * 1000;
    this.absoluteTimeoutMs = options.absoluteTimeoutMs ?? 24 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  create(user: SessionUser): Session {
    const now = this.now();
    const session: Session = { id: newSecret(), user, createdAt: now, lastSeenAt: now, onEnd: new Set() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** When this session ends at the latest if nothing else ends it first (the absolute limit). */
  expiresAt(session: Session): number {
    return session.createdAt + this.absoluteTimeoutMs;
  }

  private expired(session: Session, now: number): string | undefined {
    if (now - session.createdAt >= this.absoluteTimeoutMs) return 'session reached its maximum lifetime';
    if (now - session.lastSeenAt >= this.idleTimeoutMs) return 'session expired after inactivity';
    return undefined;
  }

  /** The live session with this id, refreshed; an expired one is ended on the way. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = this.now();
    const why = this.expired(session, now);
    if (why) {
      this.end(session, why);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  /** Marks activity without a lookup (shell traffic keeps the session alive). */
  touch(session: Session): void {
    session.lastSeenAt = this.now();
  }

  destroy(id: string | undefined, why: string): boolean {
    const session = id ? this.sessions.get(id) : undefined;
    if (!session) return false;
    this.end(session, why);
    return true;
  }

  /** Ends every expired session; returns how many. Run periodically so idle shells do not outlive their session. */
  sweep(): number {
    const now = this.now();
    let ended = 0;
    for (const session of [...this.sessions.values()]) {
      const why = this.expired(session, now);
      if (why) {
        this.end(session, why);
        ended++;
      }
    }
    return ended;
  }

  endAll(why: string): void {
    for (const session of [...this.sessions.values()]) this.end(session, why);
  }

  get size(): number {
    return this.sessions.size;
  }

  private end(session: Session, why: string): void {
    this.sessions.delete(session.id);
    for (const listener of [...session.onEnd]) listener(why);
    session.onEnd.clear();
  }
}

/** All values of a cookie (another Porthole on the same host but another port shares the cookie jar). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}

/** Every session id the request carries, under either cookie name (the server's store decides which is live). */
export function sessionIdsFromCookies(header: string | undefined): string[] {
  return [...cookieValues(header, SECURE_SESSION_COOKIE), ...cookieValues(header, SESSION_COOKIE)];
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it), Path=/.
 * Over TLS it is `__Host-porthole_session` with Secure, which the browser only accepts without a Domain, so a
 * sibling subdomain cannot plant or overwrite it. No Max-Age: it dies with the browser, and the server enforces
 * the idle and absolute limits whatever the browser keeps.
 */
export function sessionCookie(id: string, secure: boolean): string {
  return `${sessionCookieName(secure)}=${id}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${sessionCookieName(secure)}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}
