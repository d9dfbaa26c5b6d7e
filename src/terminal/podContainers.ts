// What the picker shows for a pod: every container a person can exec into or attach to, labelled the way
// `kubectl describe pod` groups them (init, regular, ephemeral), with the default container kubectl would pick.

/** The parts of a core/v1 Pod the picker reads (the REST pass-through returns the full object). */
export interface PodContainerSpec {
  name: string;
  image?: string;
  stdin?: boolean;
  tty?: boolean;
}

export interface PodContainerStatus {
  name: string;
  ready?: boolean;
  state?: { running?: object; waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number } };
}

export interface Pod {
  metadata: { name: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
  spec?: {
    containers?: PodContainerSpec[];
    initContainers?: PodContainerSpec[];
    ephemeralContainers?: PodContainerSpec[];
  };
  status?: {
    phase?: string;
    containerStatuses?: PodContainerStatus[];
    initContainerStatuses?: PodContainerStatus[];
    ephemeralContainerStatuses?: PodContainerStatus[];
  };
}

export type ContainerKind = 'init' | 'regular' | 'ephemeral';

export interface ContainerChoice {
  name: string;
  kind: ContainerKind;
  /** `running`, `waiting: CrashLoopBackOff`, `terminated: Completed (exit 0)`, or `unknown`. */
  state: string;
  isDefault: boolean;
  /** Attach needs a process that reads a terminal: null when allowed, else why not (shown to the person). */
  attachDisabledReason: string | null;
}

/** The annotation kubectl honours to pick a container when `-c` is not given (kubectl ≥ 1.21). */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

function describeState(status: PodContainerStatus | undefined): string {
  const state = status?.state;
  if (!state) return 'unknown';
  if (state.running) return 'running';
  if (state.waiting) return state.waiting.reason ? `waiting: ${state.waiting.reason}` : 'waiting';
  if (state.terminated) {
    const { reason, exitCode } = state.terminated;
    return `terminated${reason ? `: ${reason}` : ''}${exitCode !== undefined ? ` (exit ${exitCode})` : ''}`;
  }
  return 'unknown';
}

function attachDisabledReason(spec: PodContainerSpec): string | null {
  const missing = [spec.stdin ? null : 'stdin: true', spec.tty ? null : 'tty: true'].filter((x) => x !== null);
  if (missing.length === 0) return null;
  return `Attach needs a container started with stdin: true and tty: true; ${spec.name} was started without ${missing.join(' and ')}.`;
}

/**
 * The default container, as kubectl's `FindOrDefaultContainerByName` chooses it: the annotation when it names
 * any container of the pod (regular, init or ephemeral), else the first regular container. (Recent kubectl
 * refuses a pod whose annotation names no container; a picker still has to pre-select something, so it falls
 * back to the first container as older kubectl did.)
 */
export function defaultContainerName(pod: Pod): string | undefined {
  const spec = pod.spec ?? {};
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && all.some((c) => c.name === annotated)) return annotated;
  return spec.containers?.[0]?.name;
}

/** Containers in the order `kubectl describe pod` lists them: init, regular, ephemeral. */
export function containerChoices(pod: Pod): ContainerChoice[] {
  const defaultName = defaultContainerName(pod);
  const groups: Array<[ContainerKind, PodContainerSpec[] | undefined, PodContainerStatus[] | undefined]> = [
    ['init', pod.spec?.initContainers, pod.status?.initContainerStatuses],
    ['regular', pod.spec?.containers, pod.status?.containerStatuses],
    ['ephemeral', pod.spec?.ephemeralContainers, pod.status?.ephemeralContainerStatuses],
  ];
  const choices: ContainerChoice[] = [];
  for (const [kind, specs, statuses] of groups) {
    for (const spec of specs ?? []) {
      choices.push({
        name: spec.name,
        kind,
        state: describeState(statuses?.find((s) => s.name === spec.name)),
        isDefault: spec.name === defaultName,
        attachDisabledReason: attachDisabledReason(spec),
      });
    }
  }
  return choices;
}
