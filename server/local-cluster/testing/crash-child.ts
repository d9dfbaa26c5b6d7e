// Started by processes.test.ts in a child process: starts a local cluster, prints the session ids of its pod
// processes, and dies by SIGKILL without close() — as a crashed server or a killed test worker would.
import { startLocalCluster } from '../index.ts';

const cluster = await startLocalCluster({ podsFile: process.argv[2], log: () => {} });
process.stdout.write(`${JSON.stringify(cluster.processes().map((p) => p.pid))}\n`, () => {
  process.kill(process.pid, 'SIGKILL');
});
