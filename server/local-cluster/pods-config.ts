// The local cluster's pods, read from a small YAML file and validated with Kubernetes-style field errors that
// name the file, line and field path, so a typo is found without guessing.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';

export const DEFAULT_PODS_FILE = fileURLToPath(new URL('./pods.yaml', import.meta.url));

export interface ContainerConfig {
  name: string;
  image: string;
  command: string[];
  tty: boolean;
  stdin: boolean;
  env: Array<{ name: string; value: string }>;
  /** Ephemeral containers: the container whose namespaces (processes, mounts) this one joins. */
  targetContainerName?: string;
  /** No command or args were given (API-created containers): `command` is the image default, not in the spec. */
  imageDefaultCommand?: boolean;
}

export interface PodConfig {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  initContainers: ContainerConfig[];
  containers: ContainerConfig[];
  ephemeralContainers: ContainerConfig[];
  /** As the pod's spec said it (pods created through the API); every local pod runs in a user namespace anyway. */
  hostUsers?: boolean;
  /**
   * Each container gets PID and mount namespaces of its own (pods created through the API). Pods of the pods file
   * keep the host's, as they always had: their tests and tools see host pids.
   */
  isolated?: boolean;
}

export interface ClusterConfig {
  namespaces: string[];
  pods: PodConfig[];
}

export class PodsConfigError extends Error {}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

type Path = Array<string | number>;

class Validator {
  readonly errors: string[] = [];
  constructor(
    private readonly file: string,
    private readonly root: ReturnType<typeof parseDocument>,
    private readonly lines: LineCounter,
  ) {}

  fail(path: Path, message: string): void {
    const node = this.root.getIn(path, true) as Node | undefined;
    const offset = node?.range?.[0] ?? this.nearestOffset(path);
    const where = offset === undefined ? '' : `:${this.lines.linePos(offset).line}`;
    this.errors.push(`${this.file}${where}: ${formatPath(path)}: ${message}`);
  }

  private nearestOffset(path: Path): number | undefined {
    for (let i = path.length - 1; i >= 0; i--) {
      const node = this.root.getIn(path.slice(0, i), true) as Node | undefined;
      if (node?.range) return node.range[0];
    }
    return undefined;
  }

  object(value: unknown, path: Path, allowed: string[]): Record<string, unknown> | null {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, `Invalid value: expected a mapping`);
      return null;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) this.fail([...path, key], `unknown field "${key}" (allowed: ${allowed.join(', ')})`);
    }
    return record;
  }

  list(value: unknown, path: Path, required: boolean): unknown[] {
    if (value === undefined || value === null) {
      if (required) this.fail(path, 'Required value');
      return [];
    }
    if (!Array.isArray(value)) {
      this.fail(path, 'Invalid value: expected a list');
      return [];
    }
    return value;
  }

  name(value: unknown, path: Path, pattern: RegExp, what: string): string | null {
    if (value === undefined || value === null || value === '') {
      this.fail(path, 'Required value');
      return null;
    }
    if (typeof value !== 'string') {
      this.fail(path, `Invalid value: ${JSON.stringify(value)}: must be a string`);
      return null;
    }
    if (!pattern.test(value) || value.length > (pattern === DNS1123_SUBDOMAIN ? 253 : 63)) {
      this.fail(path, `Invalid value: ${JSON.stringify(value)}: ${what}`);
      return null;
    }
    return value;
  }

  boolean(value: unknown, path: Path): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') {
      this.fail(path, `Invalid value: ${JSON.stringify(value)}: must be true or false`);
      return false;
    }
    return value;
  }

  stringMap(value: unknown, path: Path): Record<string, string> {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, 'Invalid value: expected a mapping of strings');
      return {};
    }
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v !== 'string') this.fail([...path, key], `Invalid value: ${JSON.stringify(v)}: must be a string`);
      else out[key] = v;
    }
    return out;
  }
}

function formatPath(path: Path): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    '',
  );
}

const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function containers(v: Validator, value: unknown, path: Path, required: boolean, seen: Set<string>): ContainerConfig[] {
  const out: ContainerConfig[] = [];
  v.list(value, path, required).forEach((item, i) => {
    const at = [...path, i];
    const c = v.object(item, at, ['name', 'image', 'command', 'tty', 'stdin', 'env']);
    if (!c) return;
    const name = v.name(c.name, [...at, 'name'], DNS1123_LABEL, LABEL_MESSAGE);
    if (name !== null) {
      if (seen.has(name)) v.fail([...at, 'name'], `Duplicate value: "${name}"`);
      seen.add(name);
    }
    const command = v.list(c.command, [...at, 'command'], true);
    if (Array.isArray(c.command) && command.length === 0)
      v.fail([...at, 'command'], 'Required value: a local process needs a command');
    command.forEach((arg, j) => {
      if (typeof arg !== 'string')
        v.fail([...at, 'command', j], `Invalid value: ${JSON.stringify(arg)}: must be a string`);
    });
    if (c.image !== undefined && typeof c.image !== 'string')
      v.fail([...at, 'image'], 'Invalid value: must be a string');
    const env: Array<{ name: string; value: string }> = [];
    v.list(c.env, [...at, 'env'], false).forEach((e, j) => {
      const entry = v.object(e, [...at, 'env', j], ['name', 'value']);
      if (!entry) return;
      const envName = v.name(
        entry.name,
        [...at, 'env', j, 'name'],
        ENV_NAME,
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
      );
      if (entry.value !== undefined && typeof entry.value !== 'string')
        v.fail([...at, 'env', j, 'value'], 'Invalid value: must be a string');
      if (envName !== null) env.push({ name: envName, value: typeof entry.value === 'string' ? entry.value : '' });
    });
    if (name === null) return;
    out.push({
      name,
      image: typeof c.image === 'string' && c.image !== '' ? c.image : `porthole.local/${name}`,
      command: command.filter((a): a is string => typeof a === 'string'),
      tty: v.boolean(c.tty, [...at, 'tty']),
      stdin: v.boolean(c.stdin, [...at, 'stdin']),
      env,
    });
  });
  return out;
}

/** Parses and validates a pods file; throws PodsConfigError listing every problem found. */
export function parsePodsConfig(text: string, file: string): ClusterConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PodsConfigError(
      doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`).join('\n'),
    );
  }
  if (!isMap(doc.contents) && doc.contents !== null && !isSeq(doc.contents)) {
    throw new PodsConfigError(`${file}: expected a mapping with a "namespaces" list`);
  }
  const v = new Validator(file, doc, lines);
  const root = v.object(doc.toJS() ?? {}, [], ['namespaces']);
  const namespaces: string[] = [];
  const pods: PodConfig[] = [];
  if (root) {
    v.list(root.namespaces, ['namespaces'], true).forEach((item, i) => {
      const ns = v.object(item, ['namespaces', i], ['name', 'pods']);
      if (!ns) return;
      const nsName = v.name(ns.name, ['namespaces', i, 'name'], DNS1123_LABEL, LABEL_MESSAGE);
      if (nsName !== null) {
        if (namespaces.includes(nsName)) v.fail(['namespaces', i, 'name'], `Duplicate value: "${nsName}"`);
        else namespaces.push(nsName);
      }
      const podNames = new Set<string>();
      v.list(ns.pods, ['namespaces', i, 'pods'], false).forEach((p, j) => {
        const at: Path = ['namespaces', i, 'pods', j];
        const pod = v.object(p, at, [
          'name',
          'labels',
          'annotations',
          'initContainers',
          'containers',
          'ephemeralContainers',
        ]);
        if (!pod) return;
        const podName = v.name(pod.name, [...at, 'name'], DNS1123_SUBDOMAIN, SUBDOMAIN_MESSAGE);
        if (podName !== null) {
          if (podNames.has(podName)) v.fail([...at, 'name'], `Duplicate value: "${podName}"`);
          podNames.add(podName);
        }
        const seen = new Set<string>();
        const config: PodConfig = {
          namespace: nsName ?? '',
          name: podName ?? '',
          labels: v.stringMap(pod.labels, [...at, 'labels']),
          annotations: v.stringMap(pod.annotations, [...at, 'annotations']),
          initContainers: containers(v, pod.initContainers, [...at, 'initContainers'], false, seen),
          containers: containers(v, pod.containers, [...at, 'containers'], true, seen),
          ephemeralContainers: containers(v, pod.ephemeralContainers, [...at, 'ephemeralContainers'], false, seen),
        };
        if (Array.isArray(pod.containers) && pod.containers.length === 0)
          v.fail([...at, 'containers'], 'Required value');
        pods.push(config);
      });
    });
  }
  if (v.errors.length > 0) throw new PodsConfigError(v.errors.join('\n'));
  return { namespaces, pods };
}

export async function loadPodsConfig(file: string = DEFAULT_PODS_FILE): Promise<ClusterConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PodsConfigError(`cannot read pods file ${file}: ${(error as Error).message}`);
  }
  return parsePodsConfig(text, file);
}
