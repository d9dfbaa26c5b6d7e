// The exec/attach request before the upgrade: query parameters as the apiserver converts them, and the container
// check with upstream's wording (pkg/registry/core/pod/strategy.go validateContainer).
import type { PodRuntime } from './pod-runtime.ts';
import { badRequest } from './status.ts';
import type { StreamOptions } from './stream-session.ts';

export interface StreamRequest extends StreamOptions {
  subresource: 'exec' | 'attach';
  container: string;
  command: string[];
}

/** metav1 query-to-bool conversion: absent → false, "0"/"false" (any case) → false, anything else → true. */
export function queryBool(query: URLSearchParams, key: string): boolean {
  const first = query.getAll(key)[0];
  if (first === undefined) return false;
  return !(first === '0' || first.toLowerCase() === 'false');
}

/** The container a request names, or the only container; otherwise the apiserver's 400. */
export function validateContainer(pod: PodRuntime, requested: string): string {
  const name = pod.config.name;
  if (requested === '') {
    const regular = pod.containers.filter((c) => c.kind === 'regular');
    if (regular.length === 1) return regular[0]!.config.name;
    if (regular.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    // Upstream lists every container (init, regular, ephemeral — podutil.VisitContainers order) as a Go slice.
    const order = { init: 0, regular: 1, ephemeral: 2 } as const;
    const all = [...pod.containers].sort((a, b) => order[a.kind] - order[b.kind]).map((c) => c.config.name);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
  }
  if (!pod.containers.some((c) => c.config.name === requested)) {
    throw badRequest(`container ${requested} is not valid for pod ${name}`);
  }
  return requested;
}

export function parseStreamRequest(
  subresource: 'exec' | 'attach',
  query: URLSearchParams,
  pod: PodRuntime,
): StreamRequest {
  const tty = queryBool(query, 'tty');
  return {
    subresource,
    container: validateContainer(pod, query.get('container') ?? ''),
    command: subresource === 'exec' ? query.getAll('command') : [],
    stdin: queryBool(query, 'stdin'),
    stdout: queryBool(query, 'stdout'),
    // stderr is forced off with a TTY: the terminal merges it into stdout.
    stderr: queryBool(query, 'stderr') && !tty,
    tty,
  };
}
