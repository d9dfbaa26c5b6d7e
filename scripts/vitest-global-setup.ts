// Builds the local cluster's sandbox helper once before any test file starts, so a fresh machine compiles it
// here instead of inside the first test's setup (where parallel files would wait on its lock and its timeout).
import { buildSandboxHelper } from '../server/local-cluster/sandbox.ts';

export default async function setup(): Promise<void> {
  const result = await buildSandboxHelper((line) => console.log(line));
  if ('error' in result) console.warn(`⚠ sandbox helper unavailable, pods will run unconfined: ${result.error}`);
}
