// The login flow: `porthole serve` prints a URL whose fragment carries a login token (`#login=<token>`); the
// fragment never reaches a server log or a Referer. The page exchanges it for an HttpOnly session cookie and
// removes it from the address bar and history. A 401 from any later call returns to the login screen.
import { useCallback, useEffect, useState } from 'react';
import { login, logout, onUnauthorized, sessionInfo, type SessionUser } from './api.ts';

export type LoginState =
  | { state: 'checking' }
  /** `generation` counts logins in this page: what was loaded under an earlier session may need reloading. */
  | { state: 'authenticated'; generation: number; user: SessionUser }
  | {
      state: 'logged-out';
      reason: 'no-session' | 'expired' | 'bad-token' | 'logged-out';
      message?: string;
      /** The identity provider login path, when the backend has one. */
      oidcLogin?: string;
    };

/** Reads `login=<token>` from a fragment; null when the fragment carries none. */
export function loginTokenFromFragment(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('login');
  return token ? token : null;
}

function removeFragment(): void {
  history.replaceState(history.state, '', location.pathname + location.search);
}

let generation = 0;
let inFlight: Promise<LoginState> | null = null;

/**
 * One login check at a time, shared: a second caller (React StrictMode runs effects twice in development, a
 * hashchange during a check) awaits the same answer instead of racing it — the first removed the token.
 */
function resolveLogin(): Promise<LoginState> {
  inFlight ??= (async (): Promise<LoginState> => {
    const token = loginTokenFromFragment(location.hash);
    if (token !== null) {
      // Remove it first: even a failed login must not leave the token in the address bar or history.
      removeFragment();
      try {
        await login(token);
      } catch (error) {
        return { state: 'logged-out', reason: 'bad-token', message: (error as Error).message };
      }
    }
    try {
      const info = await sessionInfo();
      return info.authenticated
        ? { state: 'authenticated', generation: ++generation, user: info.user }
        : { state: 'logged-out', reason: 'no-session', ...(info.oidcLogin ? { oidcLogin: info.oidcLogin } : {}) };
    } catch (error) {
      return { state: 'logged-out', reason: 'no-session', message: (error as Error).message };
    }
  })().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

export function useLogin(): { state: LoginState; logOut: () => Promise<void> } {
  const [state, setState] = useState<LoginState>({ state: 'checking' });
  // The identity provider login stays on offer after a logout or an expiry.
  const [oidcLogin, setOidcLogin] = useState<string | undefined>(undefined);
  if (state.state === 'logged-out' && state.oidcLogin && state.oidcLogin !== oidcLogin) setOidcLogin(state.oidcLogin);

  const check = useCallback(async () => setState(await resolveLogin()), []);

  useEffect(() => {
    void check();
    // Opening the login URL again in this tab only changes the fragment: log in without reloading, so open
    // terminals keep their state.
    const onHashChange = () => {
      if (loginTokenFromFragment(location.hash) !== null) void check();
    };
    window.addEventListener('hashchange', onHashChange);
    const unsubscribe = onUnauthorized(() =>
      setState((previous) => (previous.state === 'logged-out' ? previous : { state: 'logged-out', reason: 'expired' })),
    );
    return () => {
      window.removeEventListener('hashchange', onHashChange);
      unsubscribe();
    };
  }, [check]);

  const logOut = useCallback(async () => {
    try {
      await logout();
      setState({ state: 'logged-out', reason: 'logged-out' });
    } catch (error) {
      setState({ state: 'logged-out', reason: 'expired', message: (error as Error).message });
    }
    // Ask again: the answer names the identity provider login, if any.
    const info = await sessionInfo().catch(() => undefined);
    if (info && !info.authenticated && info.oidcLogin) setOidcLogin(info.oidcLogin);
  }, []);

  const shown: LoginState =
    state.state === 'logged-out' && !state.oidcLogin && oidcLogin ? { ...state, oidcLogin } : state;
  return { state: shown, logOut };
}
