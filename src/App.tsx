import { lazy, Suspense, useState } from 'react';
import { LoginScreen } from './app/LoginScreen.tsx';
import { navigate, useRoute, type Route } from './app/router.ts';
import { useLogin } from './app/useLogin.ts';
import { Workspace } from './app/Workspace.tsx';
import './app/app.css';

// Monaco and the evaluators come with this chunk only: the terminal route never downloads them.
const PlaygroundRoute = lazy(() => import('./playground/ui/PlaygroundRoute.tsx'));
const RecordingsRoute = lazy(() => import('./app/Recordings.tsx').then((m) => ({ default: m.Recordings })));

function NavLink({
  to,
  route,
  current,
  children,
}: {
  to: string;
  route: Route['name'];
  current: Route;
  children: string;
}) {
  return (
    <a
      href={to}
      aria-current={route === current.name ? 'page' : undefined}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export function App() {
  const route = useRoute();
  const { state: login, logOut } = useLogin();
  const authenticated = login.state === 'authenticated';
  // Once the workspace has been shown it stays mounted (hidden) while logged out, so a session that expires
  // does not throw away open terminals: logging in again in this tab brings them back.
  const everAuthenticated = useEverTrue(authenticated);
  const loginGeneration = useLastDefined(login.state === 'authenticated' ? login.generation : undefined) ?? 0;
  // The playground contacts no cluster, so it needs no login; once opened it stays mounted to keep its state.
  const playgroundOpened = useEverTrue(route.name === 'playground');
  const playgroundPage = useLastDefined(route.name === 'playground' ? route.page : undefined) ?? 'cel';
  const onTerminals = route.name === 'terminals';

  return (
    <div className="app">
      <header className="app-header">
        <span className="brand">Porthole</span>
        <nav aria-label="Main">
          <NavLink to="/" route="terminals" current={route}>
            Pods &amp; terminals
          </NavLink>
          <NavLink to="/playground" route="playground" current={route}>
            Playground
          </NavLink>
          <NavLink to="/recordings" route="recordings" current={route}>
            Recordings
          </NavLink>
        </nav>
        {login.state === 'authenticated' ? (
          <div className="who" aria-label="Session">
            <span className="user-name" title={`groups: ${login.user.groups.join(', ') || 'none'}`}>
              {login.user.name}
            </span>
            <button type="button" onClick={() => void logOut()}>
              Log out
            </button>
          </div>
        ) : null}
      </header>
      {route.name === 'recordings' && authenticated ? (
        <main className="app-main">
          <Suspense fallback={<p className="checking">Loading…</p>}>
            <RecordingsRoute {...(route.recording ? { name: route.recording } : {})} />
          </Suspense>
        </main>
      ) : null}
      {onTerminals && login.state === 'checking' ? (
        <p className="checking" aria-live="polite">
          Checking your session…
        </p>
      ) : null}
      {(onTerminals || route.name === 'recordings') && login.state === 'logged-out' ? (
        <LoginScreen login={login} />
      ) : null}
      {everAuthenticated ? (
        <main className="app-main" hidden={!authenticated || !onTerminals}>
          <Workspace loginGeneration={loginGeneration} />
        </main>
      ) : null}
      {playgroundOpened ? (
        <main className="app-main" hidden={route.name !== 'playground'}>
          <Suspense fallback={<p className="checking">Loading the playground…</p>}>
            <PlaygroundRoute page={playgroundPage} />
          </Suspense>
        </main>
      ) : null}
      {route.name === 'not-found' ? (
        <main className="app-main placeholder">
          <h1>Not found</h1>
          <p>
            There is no page at <code>{location.pathname}</code>.
          </p>
        </main>
      ) : null}
    </div>
  );
}

/** The last value that was not undefined (kept while logged out, so nothing reloads against a 401). */
function useLastDefined<T>(value: T | undefined): T | undefined {
  const [last, setLast] = useState(value);
  if (value !== undefined && value !== last) setLast(value);
  return value ?? last;
}

function useEverTrue(value: boolean): boolean {
  const [ever, setEver] = useState(value);
  if (value && !ever) setEver(true);
  return ever || value;
}
