// Sessions on a fake clock: idle and absolute expiry, activity that keeps them alive, and the listeners that
// close a session's shells when it ends.

import { describe, expect, it } from 'vitest';
import { SessionStore, cookieValues, newSecret, secretsEqual, type SessionUser } from './sessions.ts';

const USER: SessionUser = { method: 'oidc', identity: { subject: 'alice', groups: ['dev'] }, displayName: 'Alice' };

function store() {
  let now = 1_000_000;
  const sessions = new SessionStore({ idleTimeoutMs: 1000, absoluteTimeoutMs: 5000, now: () => now });
  return { sessions, advance: (ms: number) => (now += ms) };
}

describe('SessionStore', () => {
  it('a session expires after the idle timeout and says why', () => {
    const { sessions, advance } = store();
    const s = sessions.create(USER);
    const ended: string[] = [];
    s.onEnd.add((why) => ended.push(why));
    advance(999);
    expect(sessions.get(s.id)).toBe(s);
    advance(999); // 999 since the last use: still alive
    expect(sessions.get(s.id)).toBe(s);
    advance(1000);
    expect(sessions.get(s.id)).toBeUndefined();
    expect(ended).toEqual(['session expired after inactivity']);
  });

  it('activity (touch) keeps it alive until the absolute limit', () => {
    const { sessions, advance } = store();
    const s = sessions.create(USER);
    for (let i = 0; i < 9; i++) {
      advance(500);
      sessions.touch(s);
    }
    expect(sessions.get(s.id)).toBe(s);
    advance(500);
    expect(sessions.get(s.id)).toBeUndefined();
  });

  it('sweep ends expired sessions without a request, so their shells close', () => {
    const { sessions, advance } = store();
    const idle = sessions.create(USER);
    const ended: string[] = [];
    idle.onEnd.add((why) => ended.push(why));
    advance(600);
    const fresh = sessions.create(USER);
    advance(600);
    expect(sessions.sweep()).toBe(1);
    expect(ended).toEqual(['session expired after inactivity']);
    expect(sessions.get(fresh.id)).toBe(fresh);
  });

  it('destroy ends a session once; ids are random and distinct', () => {
    const { sessions } = store();
    const a = sessions.create(USER);
    const b = sessions.create(USER);
    expect(a.id).not.toBe(b.id);
    expect(Buffer.from(a.id, 'base64url')).toHaveLength(32);
    expect(sessions.destroy(a.id, 'logged out')).toBe(true);
    expect(sessions.destroy(a.id, 'logged out')).toBe(false);
    expect(sessions.get(a.id)).toBeUndefined();
    expect(sessions.size).toBe(1);
  });
});

describe('secrets and cookies', () => {
  it('secretsEqual compares exactly', () => {
    const s = newSecret();
    expect(secretsEqual(s, s)).toBe(true);
    expect(secretsEqual(s, s.slice(0, -1))).toBe(false);
    expect(secretsEqual(s, `${s}x`)).toBe(false);
    expect(secretsEqual(s, '')).toBe(false);
  });

  it('cookieValues finds every value of the name', () => {
    expect(cookieValues('a=1; porthole_session=x; b=2; porthole_session=y', 'porthole_session')).toEqual(['x', 'y']);
    expect(cookieValues(undefined, 'porthole_session')).toEqual([]);
    expect(cookieValues('xporthole_session=z', 'porthole_session')).toEqual([]);
  });
});
