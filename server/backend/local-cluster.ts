// The embedded local cluster as the backend sees it: the contract of server/local-cluster/index.ts, loaded
// at run time so the backend fails with a clear message (not an import crash) if that module is missing.

export interface LocalClusterOptions {
  podsFile?: string;
  host?: string;
  port?: number;
  log?: (line: string) => void;
}

export interface LocalCluster {
  readonly server: string;
  readonly caData: string;
  readonly token: string;
  writeKubeconfig(file: string): Promise<void>;
  processes(): Array<{ namespace: string; pod: string; container: string; pid: number; kind: 'main' | 'exec' }>;
  close(): Promise<void>;
}

interface LocalClusterModule {
  startLocalCluster(options?: LocalClusterOptions): Promise<LocalCluster>;
}

export async function startEmbeddedCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  // A variable specifier keeps TypeScript from resolving the module at compile time.
  const specifier = new URL('../local-cluster/index.ts', import.meta.url).href;
  let mod: LocalClusterModule;
  try {
    mod = (await import(specifier)) as LocalClusterModule;
  } catch (error) {
    throw new Error(
      `the embedded local cluster (server/local-cluster/index.ts) could not be loaded: ${(error as Error).message}; ` +
        'start with --kubeconfig FILE to use a real cluster',
    );
  }
  return mod.startLocalCluster(options);
}
