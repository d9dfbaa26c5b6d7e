// The embedded local cluster, as the backend uses it (server/local-cluster owns it; this is the one seam).
export { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../local-cluster/index.ts';
