// The browser tests use Debian's Chromium (never a downloaded browser). Install it when we can (root with apt).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.PORTHOLE_CHROMIUM ?? '/usr/bin/chromium';

export function ensureChromium(): { ok: true } | { ok: false; message: string } {
  if (existsSync(CHROMIUM_PATH)) return { ok: true };
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    return { ok: false, message: `${CHROMIUM_PATH} is missing; install it with: sudo apt-get install -y chromium` };
  }
  console.log(`${CHROMIUM_PATH} is missing: installing Debian's chromium package`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], { stdio: 'inherit', env });
  return existsSync(CHROMIUM_PATH)
    ? { ok: true }
    : { ok: false, message: `apt-get could not install chromium (${CHROMIUM_PATH} still missing)` };
}
