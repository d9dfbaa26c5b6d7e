// Starts Porthole inside the test process (backend + embedded local cluster) on an ephemeral port, serving a
// build of the app that is at least as new as its sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startPorthole, type PortholeOptions } from '../server/backend/server.ts';

export type Porthole = Awaited<ReturnType<typeof startPorthole>>;

const APP_SOURCES = ['src', 'index.html', 'public', 'vite.config.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

let built: Promise<void> | null = null;

/** Builds dist/ when it is missing or older than any app source (npm test builds it first anyway). */
export function ensureAppBuilt(): Promise<void> {
  built ??= (async () => {
    const index = join('dist', 'index.html');
    const sources = Math.max(...APP_SOURCES.map(newestMtime));
    if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
    // In a child with NODE_ENV=production: under Vitest NODE_ENV is "test", and Vite would then bundle React's
    // development build (StrictMode double effects and all) instead of what `npm run build` ships.
    const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
  })();
  return built;
}

export async function startTestPorthole(options: PortholeOptions = {}): Promise<Porthole> {
  await ensureAppBuilt();
  return startPorthole({
    port: 0,
    // Quiet by default; PORTHOLE_E2E_LOG=1 shows the server's log lines.
    log: (line) => {
      if (process.env.PORTHOLE_E2E_LOG) console.log(line);
    },
    ...options,
  });
}
