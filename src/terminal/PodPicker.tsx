// Cluster / namespace / pod / container picker, read through the backend's REST pass-through.
import { useCallback, useEffect, useId, useState } from 'react';
import { clusterPath, getJSON, listClusters, type ClusterInfo } from '../app/api.ts';
import type { PodJson } from '../k8s/debug.ts';
import { DebugThisPod, RootShellForm } from './DebugForms.tsx';
import { containerChoices, type Pod } from './podContainers.ts';
import type { TerminalTarget } from './target.ts';

interface List<T> {
  items: T[];
}

interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/** Loads when `deps` change (or on reload); `loading` is true until the answer for the current deps arrives. */
function useLoad<T>(load: (() => Promise<T>) | null, deps: unknown[]): Loaded<T> & { reload: () => void } {
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify([...deps, generation]);
  const [state, setState] = useState<{ key: string | null; data: T | null; error: string | null }>({
    key: null,
    data: null,
    error: null,
  });
  useEffect(() => {
    if (!load) return;
    let current = true;
    load().then(
      (data) => current && setState({ key, data, error: null }),
      (error: unknown) => current && setState({ key, data: null, error: (error as Error).message }),
    );
    return () => {
      current = false;
    };
    // `load` is rebuilt on every render; `key` says when it really changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: load !== null && state.key !== key, reload };
}

const kindLabel = { init: 'init container', regular: 'container', ephemeral: 'ephemeral container' } as const;

interface PodPickerProps {
  onOpen: (target: TerminalTarget) => void;
  /** Changes when a new session starts: lists loaded (or refused) under the old one are loaded again. */
  loginGeneration: number;
}

export function PodPicker({ onOpen, loginGeneration }: PodPickerProps) {
  const [cluster, setCluster] = useState<string | null>(null);
  const [namespace, setNamespace] = useState<string>('default');
  const [command, setCommand] = useState('');
  const ids = { cluster: useId(), namespace: useId(), command: useId(), commandHelp: useId() };

  const clusters = useLoad<ClusterInfo[]>(loginGeneration > 0 ? listClusters : null, [loginGeneration]);
  const clusterName = cluster ?? clusters.data?.[0]?.name ?? null;
  const namespaces = useLoad<List<{ metadata: { name: string } }>>(
    clusterName ? () => getJSON(clusterPath(clusterName, 'api/v1/namespaces')) : null,
    [clusterName, loginGeneration],
  );
  const pods = useLoad<List<Pod>>(
    clusterName
      ? () => getJSON(clusterPath(clusterName, `api/v1/namespaces/${encodeURIComponent(namespace)}/pods`))
      : null,
    [clusterName, namespace, loginGeneration],
  );
  const { reload: reloadNamespaces } = namespaces;
  const { reload: reloadPods } = pods;
  const refresh = useCallback(() => {
    reloadNamespaces();
    reloadPods();
  }, [reloadNamespaces, reloadPods]);

  const trimmed = command.trim();
  const open = (pod: Pod, container: string, mode: 'exec' | 'attach') => {
    if (!clusterName) return;
    onOpen({
      cluster: clusterName,
      namespace,
      pod: pod.metadata.name,
      container,
      mode,
      command: mode === 'exec' && trimmed ? ['sh', '-c', trimmed] : undefined,
    });
  };

  const namespaceNames = namespaces.data?.items.map((n) => n.metadata.name) ?? [];
  if (!namespaceNames.includes(namespace)) namespaceNames.unshift(namespace);

  return (
    <nav className="picker" aria-label="Pods">
      <div className="picker-controls">
        <label htmlFor={ids.cluster}>Cluster</label>
        <select id={ids.cluster} value={clusterName ?? ''} onChange={(e) => setCluster(e.target.value)}>
          {(clusters.data ?? []).map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
              {c.local ? ' (local)' : ''}
            </option>
          ))}
        </select>
        <label htmlFor={ids.namespace}>Namespace</label>
        <select id={ids.namespace} value={namespace} onChange={(e) => setNamespace(e.target.value)}>
          {namespaceNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <button type="button" onClick={refresh} disabled={pods.loading}>
          Refresh
        </button>
        <label htmlFor={ids.command}>Exec command</label>
        <input
          id={ids.command}
          value={command}
          onChange={(e) => setCommand(e.target.value)}
          placeholder="a shell: bash, else sh"
          aria-describedby={ids.commandHelp}
          spellCheck={false}
        />
        <small id={ids.commandHelp}>Run with sh -c; leave empty for an interactive shell.</small>
      </div>
      {clusters.error ? (
        <p className="error" role="alert">
          Clusters: {clusters.error}
        </p>
      ) : null}
      {namespaces.error ? (
        <p className="error" role="alert">
          Namespaces: {namespaces.error}
        </p>
      ) : null}
      {pods.error ? (
        <p className="error" role="alert">
          Pods: {pods.error}
        </p>
      ) : null}
      {clusterName ? (
        <RootShellForm
          key={`${clusterName}/${namespace}`}
          cluster={clusterName}
          namespaces={namespaceNames}
          namespace={namespace}
          pods={(pods.data?.items ?? []) as unknown as PodJson[]}
          onOpen={onOpen}
          onCreated={reloadPods}
        />
      ) : null}
      {pods.loading && !pods.data ? <p aria-live="polite">Loading pods…</p> : null}
      {pods.data && pods.data.items.length === 0 ? <p>No pods in {namespace}.</p> : null}
      <ul className="pods">
        {(pods.data?.items ?? []).map((pod) => (
          <li key={pod.metadata.uid ?? pod.metadata.name} className="pod" data-pod={pod.metadata.name}>
            <div className="pod-heading">
              <span className="pod-name">{pod.metadata.name}</span>
              <span className={`phase phase-${(pod.status?.phase ?? 'Unknown').toLowerCase()}`}>
                {pod.status?.phase ?? 'Unknown'}
              </span>
            </div>
            {clusterName ? (
              <DebugThisPod
                cluster={clusterName}
                namespace={namespace}
                pod={pod as unknown as PodJson}
                onOpen={(target) => {
                  reloadPods();
                  onOpen(target);
                }}
              />
            ) : null}
            <ul className="containers">
              {containerChoices(pod).map((c) => {
                const reasonId = `${pod.metadata.name}-${c.name}-attach-reason`;
                return (
                  <li key={`${c.kind}/${c.name}`} className="container" data-container={c.name}>
                    <span className="container-name">{c.name}</span>
                    {c.kind !== 'regular' ? <span className="badge">{kindLabel[c.kind]}</span> : null}
                    {c.isDefault ? <span className="badge badge-default">default</span> : null}
                    <span className="container-state">{c.state}</span>
                    <span className="container-actions">
                      <button
                        type="button"
                        onClick={() => open(pod, c.name, 'exec')}
                        aria-label={`Exec into ${pod.metadata.name}/${c.name}`}
                      >
                        {trimmed ? 'Run' : 'Shell'}
                      </button>
                      <button
                        type="button"
                        onClick={() => open(pod, c.name, 'attach')}
                        disabled={c.attachDisabledReason !== null}
                        aria-label={`Attach to ${pod.metadata.name}/${c.name}`}
                        aria-describedby={c.attachDisabledReason ? reasonId : undefined}
                        title={c.attachDisabledReason ?? undefined}
                      >
                        Attach
                      </button>
                    </span>
                    {c.attachDisabledReason ? (
                      <small id={reasonId} className="attach-reason">
                        {c.attachDisabledReason}
                      </small>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ul>
    </nav>
  );
}
