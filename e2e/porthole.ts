// Starts Porthole inside the test process (backend + embedded local cluster) on an ephemeral port, serving a
// build of the app that is at least as new as its sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
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
    await build({ logLevel: 'warn' });
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
