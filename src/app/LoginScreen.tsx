import { useEffect, useRef } from 'react';
import type { LoginState } from './useLogin.ts';

type LoggedOut = Extract<LoginState, { state: 'logged-out' }>;

const headings: Record<LoggedOut['reason'], string> = {
  'no-session': 'Not logged in',
  expired: 'Your session has ended',
  'bad-token': 'That login link was not accepted',
  'logged-out': 'You have logged out',
};

export function LoginScreen({ login }: { login: LoggedOut }) {
  // An alertdialog takes focus, so a keyboard or screen-reader user lands on what happened.
  const dialog = useRef<HTMLElement>(null);
  useEffect(() => dialog.current?.focus(), [login.reason]);
  return (
    <section
      ref={dialog}
      tabIndex={-1}
      className="login"
      role="alertdialog"
      aria-labelledby="login-heading"
      aria-describedby="login-help"
    >
      <h1 id="login-heading">{headings[login.reason]}</h1>
      {login.message ? <p className="error">{login.message}</p> : null}
      {login.oidcLogin ? (
        <p>
          <a className="login-button" href={`${login.oidcLogin}?returnTo=${encodeURIComponent(location.pathname)}`}>
            Log in with your identity provider
          </a>
        </p>
      ) : null}
      <p id="login-help">
        {login.oidcLogin ? 'Or open' : 'Open'} the URL printed by <code>porthole serve</code> (it ends in{' '}
        <code>#login=…</code>).
        {login.reason === 'expired' ? ' Opening it in this tab keeps your open terminals.' : null}
      </p>
    </section>
  );
}
