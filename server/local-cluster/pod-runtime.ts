// The "kubelet" of the local cluster: runs each pod's containers as local processes (init containers to completion
// first, then a main process per container, restarted when it exits, as restartPolicy Always does), starts exec
// processes on request, and tracks everything it started so a hang-up or close() leaves nothing behind.
import { randomBytes, randomUUID } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnLocalProcess, type LocalProcess } from './local-process.ts';
import type { ContainerConfig, PodConfig } from './pods-config.ts';
import { containerInitPid, type Sandbox, type WrapOptions } from './sandbox.ts';

export const POD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** How long a hung-up process gets between SIGHUP and SIGKILL. */
export const HANG_UP_GRACE_MS = 1000;
const RESTART_DELAY_MS = 1000;

export type ContainerKind = 'init' | 'regular' | 'ephemeral';

export type ContainerState =
  | { state: 'waiting'; reason: string }
  | { state: 'running'; startedAt: Date }
  | { state: 'terminated'; exitCode: number; reason: string; startedAt: Date; finishedAt: Date };

export interface ContainerRuntime {
  config: ContainerConfig;
  kind: ContainerKind;
  id: string;
  state: ContainerState;
  restartCount: number;
  main: LocalProcess | null;
  /** The host pid whose namespaces execs into this container join (its init, or its target's). */
  namespacePid?: number;
}

export interface PodRuntime {
  config: PodConfig;
  uid: string;
  createdAt: Date;
  resourceVersion: number;
  workDir: string;
  containers: ContainerRuntime[];
  /** Set once the pod was deleted: nothing of it starts again. */
  deleted?: boolean;
}

export interface ProcessInfo {
  namespace: string;
  pod: string;
  container: string;
  pid: number;
  kind: 'main' | 'exec';
}

/** Why an exec could not start, in the two forms the two server paths report (exec-protocol §2.6, G6). */
export interface ExecFailure {
  /** The CRI streaming server's text (legacy path; v4 JSON / v1 text). */
  legacyMessage: string;
  /** The apiserver translator's InternalError message body (v5 path), before its own "Internal error occurred: ". */
  translatedMessage: string;
}

export class PodRuntimeManager {
  readonly pods: PodRuntime[] = [];
  private readonly live = new Map<LocalProcess, ProcessInfo>();
  private readonly root: string;
  private closing = false;
  private resourceVersion = 1;

  constructor(
    pods: PodConfig[],
    private readonly sandbox: Sandbox,
    private readonly log: (line: string) => void,
  ) {
    this.root = mkdtempSync(join(tmpdir(), 'porthole-local-'));
    chmodSync(this.root, 0o711); // the pods' host user must be able to reach its own directory below
    const created = new Date(Math.floor(Date.now() / 1000) * 1000);
    // The apiserver lists in storage key order: namespace, then name.
    const sorted = [...pods].sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
    for (const config of sorted) this.pods.push(this.newPod(config, created));
  }

  private newPod(config: PodConfig, createdAt: Date): PodRuntime {
    const workDir = join(this.root, `${config.namespace}_${config.name}`);
    mkdirSync(workDir, { mode: 0o700 });
    if (process.getuid?.() === 0) chownSync(workDir, this.sandbox.hostUid, this.sandbox.hostGid);
    const containers = [
      ...config.initContainers.map((c) => this.container(c, 'init')),
      ...config.containers.map((c) => this.container(c, 'regular')),
      ...config.ephemeralContainers.map((c) => this.container(c, 'ephemeral')),
    ];
    return { config, uid: randomUUID(), createdAt, resourceVersion: this.nextVersion(), workDir, containers };
  }

  /** A pod created through the API: stored in key order and started at once. */
  addPod(config: PodConfig): PodRuntime {
    const pod = this.newPod(config, new Date(Math.floor(Date.now() / 1000) * 1000));
    const at = this.pods.findIndex(
      (p) =>
        compare(p.config.namespace, config.namespace) > 0 ||
        (p.config.namespace === config.namespace && compare(p.config.name, config.name) > 0),
    );
    this.pods.splice(at === -1 ? this.pods.length : at, 0, pod);
    void this.startPod(pod);
    return pod;
  }

  /** Deletes a pod: it leaves the list at once and every process of it is hung up. */
  async deletePod(pod: PodRuntime): Promise<void> {
    pod.deleted = true;
    pod.resourceVersion = this.nextVersion();
    const index = this.pods.indexOf(pod);
    if (index !== -1) this.pods.splice(index, 1);
    const mine = [...this.live.entries()].filter(
      ([, info]) => info.namespace === pod.config.namespace && info.pod === pod.config.name,
    );
    await Promise.all(mine.map(([proc]) => proc.hangUp(HANG_UP_GRACE_MS)));
    rmSync(pod.workDir, { recursive: true, force: true });
  }

  /** Adds an ephemeral container to a running pod and starts it (never restarted, as the kubelet does). */
  addEphemeralContainer(pod: PodRuntime, config: ContainerConfig): ContainerRuntime {
    const c = this.container(config, 'ephemeral');
    pod.containers.push(c);
    pod.config.ephemeralContainers.push(config);
    pod.resourceVersion = this.nextVersion();
    this.startMain(pod, c);
    return c;
  }

  get currentResourceVersion(): number {
    return this.resourceVersion;
  }

  private nextVersion(): number {
    return ++this.resourceVersion;
  }

  private container(config: ContainerConfig, kind: ContainerKind): ContainerRuntime {
    return {
      config,
      kind,
      id: randomBytes(32).toString('hex'),
      state: { state: 'waiting', reason: 'ContainerCreating' },
      restartCount: 0,
      main: null,
    };
  }

  /**
   * Starts every pod: init containers in order, then the others. Resolves when all main processes started, or
   * after `waitMs` at the latest — a slow init container keeps its pod initialising, not the server from serving.
   */
  async start(waitMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.pods.map((pod) => this.startPod(pod))),
      new Promise((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
  }

  private async startPod(pod: PodRuntime): Promise<void> {
    for (const c of pod.containers.filter((c) => c.kind === 'init')) {
      const code = await this.runToCompletion(pod, c);
      if (code !== 0) {
        this.log(
          `local cluster: init container ${c.config.name} of pod ${pod.config.namespace}/${pod.config.name} exited with ${code}; its other containers are not started`,
        );
        return;
      }
    }
    for (const c of pod.containers.filter((c) => c.kind !== 'init')) this.startMain(pod, c);
  }

  private runToCompletion(pod: PodRuntime, c: ContainerRuntime): Promise<number> {
    const startedAt = new Date();
    const proc = this.spawn(pod, c, c.config.command, { tty: false, stdin: false });
    if ('legacyMessage' in proc) {
      c.state = { state: 'terminated', exitCode: 128, reason: 'StartError', startedAt, finishedAt: new Date() };
      return Promise.resolve(128);
    }
    this.track(proc, pod, c, 'main');
    c.state = { state: 'running', startedAt };
    return new Promise((resolve) =>
      proc.on('exit', (code) => {
        c.state = {
          state: 'terminated',
          exitCode: code,
          reason: code === 0 ? 'Completed' : 'Error',
          startedAt,
          finishedAt: new Date(),
        };
        pod.resourceVersion = this.nextVersion();
        resolve(code);
      }),
    );
  }

  /** How a container's main process is confined: its own PID/mount namespaces, or its target's. */
  private containerNamespaces(pod: PodRuntime, c: ContainerRuntime): WrapOptions | ExecFailure {
    if (!this.isolated(pod, c)) return {};
    const targetName = c.config.targetContainerName;
    if (!targetName) return { container: true };
    const target = pod.containers.find((x) => x.config.name === targetName && x.kind !== 'ephemeral');
    const pid = target ? this.namespacePid(target) : undefined;
    if (pid === undefined) {
      const text = `target container "${targetName}" is not running`;
      return { legacyMessage: text, translatedMessage: text };
    }
    return { join: pid };
  }

  /** Whether a container has namespaces of its own: every container of an API-created pod, every ephemeral one. */
  private isolated(pod: PodRuntime, c: ContainerRuntime): boolean {
    return (
      this.sandbox.isolatesContainers && c.kind !== 'init' && (pod.config.isolated === true || c.kind === 'ephemeral')
    );
  }

  private namespacePid(c: ContainerRuntime): number | undefined {
    if (c.namespacePid === undefined && c.main) c.namespacePid = containerInitPid(c.main.pid);
    return c.namespacePid;
  }

  private startMain(pod: PodRuntime, c: ContainerRuntime): void {
    if (this.closing || pod.deleted) return;
    const namespaces = this.containerNamespaces(pod, c);
    const proc =
      'legacyMessage' in namespaces
        ? namespaces
        : this.spawn(pod, c, c.config.command, { tty: c.config.tty, stdin: c.config.stdin, ...namespaces });
    if ('join' in namespaces) c.namespacePid = namespaces.join;
    else c.namespacePid = undefined;
    const startedAt = new Date();
    if ('legacyMessage' in proc) {
      this.log(
        `local cluster: cannot start ${pod.config.namespace}/${pod.config.name}/${c.config.name}: ${proc.legacyMessage}`,
      );
      c.state =
        c.kind === 'ephemeral'
          ? { state: 'terminated', exitCode: 128, reason: 'StartError', startedAt, finishedAt: new Date() }
          : { state: 'waiting', reason: 'RunContainerError' };
      pod.resourceVersion = this.nextVersion();
      return;
    }
    c.main = proc;
    c.state = { state: 'running', startedAt };
    pod.resourceVersion = this.nextVersion();
    this.track(proc, pod, c, 'main');
    proc.on('exit', (code) => {
      c.main = null;
      c.state = {
        state: 'terminated',
        exitCode: code,
        reason: code === 0 ? 'Completed' : 'Error',
        startedAt,
        finishedAt: new Date(),
      };
      pod.resourceVersion = this.nextVersion();
      if (c.namespacePid !== undefined && !c.config.targetContainerName) c.namespacePid = undefined;
      // Ephemeral containers are never restarted.
      if (this.closing || pod.deleted || c.kind === 'ephemeral') return;
      c.restartCount++;
      setTimeout(() => this.startMain(pod, c), RESTART_DELAY_MS).unref();
    });
  }

  private track(proc: LocalProcess, pod: PodRuntime, c: ContainerRuntime, kind: 'main' | 'exec'): void {
    this.live.set(proc, {
      namespace: pod.config.namespace,
      pod: pod.config.name,
      container: c.config.name,
      pid: proc.pid,
      kind,
    });
    proc.on('exit', () => this.live.delete(proc));
  }

  /** Resolves argv[0] the way runc would inside the container: PATH lookup unless it contains a slash. */
  private resolveExecutable(argv0: string): string | null {
    const candidates = argv0.includes('/') ? [argv0] : POD_PATH.split(':').map((dir) => join(dir, argv0));
    for (const candidate of candidates) {
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
    return null;
  }

  private spawn(
    pod: PodRuntime,
    c: ContainerRuntime,
    argv: string[],
    options: { tty: boolean; stdin: boolean; size?: { width: number; height: number } } & WrapOptions,
  ): LocalProcess | ExecFailure {
    const argv0 = argv[0];
    const execId = randomBytes(32).toString('hex');
    const runcFailure = (detail: string): ExecFailure => {
      // containerd + runc wording, which clients (ours included) match on for shell discovery.
      const text = `error executing command in container: failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: ${detail}: unknown`;
      return { legacyMessage: text, translatedMessage: `Internal error occurred: ${text}` };
    };
    if (argv0 === undefined || argv0 === '') return runcFailure('exec: "": executable file not found in $PATH');
    const resolved = this.resolveExecutable(argv0);
    if (!resolved) {
      return runcFailure(
        argv0.includes('/')
          ? `exec: "${argv0}": stat ${argv0}: no such file or directory`
          : `exec: "${argv0}": executable file not found in $PATH`,
      );
    }
    const env: Record<string, string> = {
      PATH: POD_PATH,
      HOSTNAME: pod.config.name,
      HOME: pod.workDir,
      ...(options.tty ? { TERM: 'xterm-256color' } : {}),
    };
    for (const e of c.config.env) env[e.name] = e.value;
    const wrapped = this.sandbox.wrap([resolved, ...argv.slice(1)], {
      ...(options.container ? { container: true } : {}),
      ...(options.join ? { join: options.join } : {}),
    });
    return spawnLocalProcess({
      file: wrapped.file,
      args: wrapped.args,
      cwd: pod.workDir,
      env,
      tty: options.tty,
      stdin: options.stdin,
      ...(options.size ? { size: options.size } : {}),
      ...(wrapped.runAs ? { uid: wrapped.runAs.uid, gid: wrapped.runAs.gid } : {}),
    });
  }

  findPod(namespace: string, name: string): PodRuntime | undefined {
    return this.pods.find((p) => p.config.namespace === namespace && p.config.name === name);
  }

  /** A running container's runtime, or the kubelet's refusal when it is not running. */
  runningContainer(pod: PodRuntime, name: string): ContainerRuntime | ExecFailure {
    const c = pod.containers.find((x) => x.config.name === name);
    if (!c || c.state.state !== 'running' || (c.kind !== 'init' && !c.main)) {
      const text = `container not found ("${name}")`;
      return { legacyMessage: text, translatedMessage: `unable to upgrade connection: ${text}` };
    }
    return c;
  }

  /** Starts an exec process in a running container. */
  exec(
    pod: PodRuntime,
    containerName: string,
    command: string[],
    options: { tty: boolean; stdin: boolean; size?: { width: number; height: number } },
  ): LocalProcess | ExecFailure {
    const c = this.runningContainer(pod, containerName);
    if ('legacyMessage' in c) return c;
    // An exec enters the container's namespaces, as runc exec does.
    const join = this.isolated(pod, c) ? this.namespacePid(c) : undefined;
    const proc = this.spawn(pod, c, command, { ...options, ...(join ? { join } : {}) });
    if (!('legacyMessage' in proc)) this.track(proc, pod, c, 'exec');
    return proc;
  }

  processes(): ProcessInfo[] {
    return [...this.live.values()].map((info) => ({ ...info }));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.live.keys()].map((proc) => proc.hangUp(200)));
    rmSync(this.root, { recursive: true, force: true });
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
