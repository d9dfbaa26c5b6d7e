// The two debugging shells of the pod view: "Debug this pod" (an ephemeral container, attached as soon as it runs)
// and "Root shell, safely" (a hostUsers: false debug pod, exec'd into, deleted when its tab closes unless kept).
import { useId, useState } from 'react';
import { ApiError, clusterPath, getJSON, sendJSON } from '../app/api.ts';
import {
  containerProgress,
  debuggerName,
  debugPod,
  DEFAULT_DEBUG_IMAGE,
  ephemeralContainer,
  ephemeralContainerPatch,
  refusalHint,
  STRATEGIC_MERGE_PATCH,
  type PodJson,
} from '../k8s/debug.ts';
import type { TerminalTarget } from './target.ts';

const IMAGE_KEY = 'porthole.debugImage';
const POLL_MS = 500;
const START_DEADLINE_MS = 120_000;

function defaultImage(): string {
  try {
    return localStorage.getItem(IMAGE_KEY) || DEFAULT_DEBUG_IMAGE;
  } catch {
    return DEFAULT_DEBUG_IMAGE;
  }
}

function rememberImage(image: string): void {
  try {
    localStorage.setItem(IMAGE_KEY, image);
  } catch {
    // private mode: the default stays busybox
  }
}

const podPath = (cluster: string, namespace: string, pod: string, sub = '') =>
  clusterPath(
    cluster,
    `api/v1/namespaces/${encodeURIComponent(namespace)}/pods${pod ? `/${encodeURIComponent(pod)}` : ''}${sub}`,
  );

function describe(error: unknown): string {
  if (error instanceof ApiError) return refusalHint(error.status, error.message);
  return (error as Error).message;
}

/** Polls the pod until the container runs; reports each new state; throws with the reason it will not. */
async function waitRunning(
  cluster: string,
  namespace: string,
  pod: string,
  container: string,
  ephemeral: boolean,
  report: (text: string) => void,
): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    const current = await getJSON<PodJson>(podPath(cluster, namespace, pod));
    const progress = containerProgress(current, container, ephemeral);
    if (progress.state === 'running') return;
    if (progress.state === 'failed') throw new Error(progress.detail);
    report(progress.detail);
    if (Date.now() > deadline)
      throw new Error(`still not running after ${START_DEADLINE_MS / 1000} s: ${progress.detail}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

interface DebugThisPodProps {
  cluster: string;
  namespace: string;
  pod: PodJson;
  onOpen: (target: TerminalTarget) => void;
}

export function DebugThisPod({ cluster, namespace, pod, onOpen }: DebugThisPodProps) {
  const [open, setOpen] = useState(false);
  const [image, setImage] = useState(defaultImage);
  const [target, setTarget] = useState(pod.spec?.containers?.[0]?.name ?? '');
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { image: useId(), target: useId() };
  const name = pod.metadata.name;

  const start = async () => {
    setBusy(true);
    setError(null);
    rememberImage(image);
    try {
      setProgress('adding the ephemeral container…');
      const fresh = await getJSON<PodJson>(podPath(cluster, namespace, name));
      const container = ephemeralContainer({ name: debuggerName(fresh), image, ...(target ? { target } : {}) });
      await sendJSON(
        'PATCH',
        podPath(cluster, namespace, name, '/ephemeralcontainers'),
        ephemeralContainerPatch(fresh, container),
        STRATEGIC_MERGE_PATCH,
      );
      await waitRunning(cluster, namespace, name, container.name, true, (text) =>
        setProgress(`${container.name}: ${text}`),
      );
      setProgress(null);
      setOpen(false);
      onOpen({ cluster, namespace, pod: name, container: container.name, mode: 'attach' });
    } catch (e) {
      setProgress(null);
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <button type="button" className="debug-open" onClick={() => setOpen(true)} aria-label={`Debug ${name}`}>
        Debug this pod
      </button>
    );
  }
  return (
    <form
      className="debug-form"
      aria-label={`Debug ${name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      <p className="debug-explain">
        Adds an ephemeral container (kubectl debug) with a shell, a TTY and stdin, and attaches to it. With a target it
        shares that container&apos;s process namespace: <code>ps</code> shows its processes.
      </p>
      <label htmlFor={ids.image}>Image</label>
      <input id={ids.image} value={image} onChange={(e) => setImage(e.target.value)} spellCheck={false} required />
      <label htmlFor={ids.target}>Target container</label>
      <select id={ids.target} value={target} onChange={(e) => setTarget(e.target.value)}>
        <option value="">(none: own process namespace)</option>
        {(pod.spec?.containers ?? []).map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy || image.trim() === ''}>
        Start debugger
      </button>
      <button type="button" onClick={() => setOpen(false)} disabled={busy}>
        Cancel
      </button>
      <FormStatus progress={progress} error={error} />
    </form>
  );
}

interface RootShellProps {
  cluster: string;
  namespaces: string[];
  namespace: string;
  pods: PodJson[];
  onOpen: (target: TerminalTarget) => void;
  onCreated?: () => void;
}

export function RootShellForm({ cluster, namespaces, namespace: initial, pods, onOpen, onCreated }: RootShellProps) {
  const [namespace, setNamespace] = useState(initial);
  const [image, setImage] = useState(defaultImage);
  const [copyFrom, setCopyFrom] = useState('');
  const [keep, setKeep] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { ns: useId(), image: useId(), copy: useId(), keep: useId(), explain: useId() };

  const start = async () => {
    setBusy(true);
    setError(null);
    rememberImage(image);
    try {
      const [podName, containerName] = copyFrom ? copyFrom.split('/') : [];
      const source = podName ? pods.find((p) => p.metadata.name === podName) : undefined;
      setProgress('creating the debug pod…');
      const body = debugPod({
        namespace,
        image,
        ...(source && containerName ? { copyFrom: { pod: source, container: containerName } } : {}),
      });
      const created = await sendJSON<PodJson>('POST', podPath(cluster, namespace, ''), body);
      const name = created.metadata.name;
      onCreated?.();
      const remove = () =>
        void sendJSON('DELETE', podPath(cluster, namespace, name), undefined, 'application/json', true).catch(() => {});
      try {
        await waitRunning(cluster, namespace, name, 'debug', false, (text) => setProgress(`${name}: ${text}`));
      } catch (e) {
        if (!keep) remove();
        throw e;
      }
      setProgress(null);
      const keepIt = keep;
      onOpen({
        cluster,
        namespace,
        pod: name,
        container: 'debug',
        mode: 'exec',
        command: ['sh'],
        ...(keepIt ? {} : { onClosed: remove }),
      });
    } catch (e) {
      setProgress(null);
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="root-shell">
      <summary>Root shell, safely</summary>
      <form
        aria-label="Root shell, safely"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <p id={ids.explain} className="debug-explain">
          Creates a debug pod with <code>hostUsers: false</code>: you are root (uid 0) inside, but the pod runs in its
          own user namespace, so on the node its processes are an unprivileged user — a container escape is not a node
          root. It needs a cluster with user namespaces (UserNamespacesSupport, on by default from 1.33), Linux ≥ 6.3 on
          the node and a runtime that supports them (containerd ≥ 2.0 or CRI-O ≥ 1.25 with idmap mounts); otherwise the
          cluster refuses the pod and the reason is shown here. No host namespaces, no hostPath.
        </p>
        <label htmlFor={ids.ns}>Create it in</label>
        <select id={ids.ns} value={namespace} onChange={(e) => setNamespace(e.target.value)}>
          {[...new Set([initial, ...namespaces])].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <label htmlFor={ids.image}>Image</label>
        <input id={ids.image} value={image} onChange={(e) => setImage(e.target.value)} spellCheck={false} required />
        <label htmlFor={ids.copy}>Copy volumes and env from</label>
        <select
          id={ids.copy}
          value={copyFrom}
          onChange={(e) => setCopyFrom(e.target.value)}
          disabled={namespace !== initial}
        >
          <option value="">(nothing)</option>
          {pods.flatMap((p) =>
            (p.spec?.containers ?? []).map((c) => (
              <option key={`${p.metadata.name}/${c.name}`} value={`${p.metadata.name}/${c.name}`}>
                {p.metadata.name}/{c.name}
              </option>
            )),
          )}
        </select>
        <label className="keep">
          <input id={ids.keep} type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} /> Keep the
          pod when the tab closes
        </label>
        <button type="submit" disabled={busy || image.trim() === ''} aria-describedby={ids.explain}>
          Open root shell
        </button>
        <FormStatus progress={progress} error={error} />
      </form>
    </details>
  );
}

/** A form's progress (announced as it changes) and its error (an alert). */
function FormStatus({ progress, error }: { progress: string | null; error: string | null }) {
  return (
    <>
      {progress ? (
        <p className="debug-progress" aria-live="polite">
          {progress}
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
