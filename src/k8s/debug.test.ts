// The debugging requests as kubectl debug builds them, and a pod's progress read as a person wants it told.
import { describe, expect, it } from 'vitest';
import {
  containerProgress,
  debuggerName,
  debugPod,
  ephemeralContainer,
  ephemeralContainerPatch,
  refusalHint,
  type PodJson,
} from './debug.ts';

const pod: PodJson = {
  metadata: { name: 'web' },
  spec: {
    containers: [{ name: 'app', env: [{ name: 'A', value: '1' }], volumeMounts: [{ name: 'data', mountPath: '/d' }] }],
    volumes: [{ name: 'data', emptyDir: {} }],
  },
};

describe('ephemeralContainerPatch', () => {
  it('adds one container, as CreateTwoWayMergePatch gives for a pod without ephemeral containers', () => {
    const c = ephemeralContainer({ name: 'debugger-abcde', image: 'busybox', target: 'app' });
    expect(ephemeralContainerPatch(pod, c)).toEqual({
      spec: {
        ephemeralContainers: [
          {
            name: 'debugger-abcde',
            image: 'busybox',
            resources: {},
            stdin: true,
            terminationMessagePolicy: 'File',
            tty: true,
            targetContainerName: 'app',
          },
        ],
      },
    });
  });

  it('keeps the order of the existing ones with $setElementOrder', () => {
    const withOne: PodJson = { ...pod, spec: { ...pod.spec, ephemeralContainers: [{ name: 'debugger-old' }] } };
    const patch = ephemeralContainerPatch(withOne, ephemeralContainer({ name: 'debugger-new', image: 'b' })) as {
      spec: Record<string, unknown>;
    };
    expect(patch.spec['$setElementOrder/ephemeralContainers']).toEqual([
      { name: 'debugger-old' },
      { name: 'debugger-new' },
    ]);
    expect(patch.spec.ephemeralContainers).toHaveLength(1);
  });
});

describe('debuggerName', () => {
  it('is debugger- and five characters of utilrand’s alphabet, never a taken name', () => {
    const taken: PodJson = { ...pod, spec: { containers: [{ name: 'debugger-bbbbb' }] } };
    let calls = 0;
    // The first pick collides (all zeros → "bbbbb"), the second does not.
    expect(debuggerName(taken, () => (calls++ < 5 ? 0 : 0.99))).toBe('debugger-99999');
    expect(debuggerName(pod)).toMatch(/^debugger-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('debugPod', () => {
  it('is hostUsers: false, root inside, with a TTY shell', () => {
    const body = debugPod({ namespace: 'team-a', image: 'busybox' }) as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> };
    };
    expect(body.metadata).toMatchObject({ generateName: 'porthole-debug-', namespace: 'team-a' });
    expect(body.spec).toMatchObject({ hostUsers: false, restartPolicy: 'Never' });
    expect(body.spec.volumes).toBeUndefined();
    expect(body.spec.containers[0]).toEqual({
      name: 'debug',
      image: 'busybox',
      command: ['sh'],
      stdin: true,
      tty: true,
      securityContext: { runAsUser: 0, runAsGroup: 0 },
    });
  });

  it('copies the volumes, and the env and mounts of the chosen container, as kubectl debug --copy-to would', () => {
    const body = debugPod({ namespace: 'default', image: 'busybox', copyFrom: { pod, container: 'app' } }) as {
      spec: { volumes: unknown[]; containers: Array<Record<string, unknown>> };
    };
    expect(body.spec.volumes).toEqual(pod.spec!.volumes);
    expect(body.spec.containers[0]).toMatchObject({
      env: [{ name: 'A', value: '1' }],
      volumeMounts: [{ name: 'data', mountPath: '/d' }],
    });
  });
});

describe('containerProgress', () => {
  const at = (state: Record<string, unknown> | undefined): PodJson => ({
    ...pod,
    status: { ephemeralContainerStatuses: state ? [{ name: 'd', state }] : [] },
  });
  it.each([
    {
      name: 'not reported yet',
      state: undefined,
      progress: { state: 'waiting', detail: 'waiting for the kubelet to report the container' },
    },
    {
      name: 'being created',
      state: { waiting: { reason: 'ContainerCreating' } },
      progress: { state: 'waiting', detail: 'ContainerCreating' },
    },
    { name: 'running', state: { running: {} }, progress: { state: 'running' } },
    {
      name: 'an image that cannot be pulled',
      state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope"' } },
      progress: { state: 'failed', detail: 'ImagePullBackOff: Back-off pulling image "nope"' },
    },
    {
      name: 'exited',
      state: { terminated: { exitCode: 127, reason: 'Error' } },
      progress: { state: 'failed', detail: 'the container exited (code 127): Error' },
    },
  ])('$name', ({ state, progress }) => {
    expect(containerProgress(at(state), 'd', true)).toEqual(progress);
  });
});

describe('refusalHint keeps the API’s message and says what it means', () => {
  it.each([
    { status: 403, message: 'pods "web" is forbidden: User "alice" cannot patch resource', hint: /RBAC/ },
    {
      status: 404,
      message: 'the server could not find the requested resource (pods/ephemeralcontainers)',
      hint: /not served/,
    },
    { status: 422, message: 'Pod "x" is invalid: spec.hostUsers: Forbidden: …', hint: /Linux ≥ 6\.3/ },
  ])('$status', ({ status, message, hint }) => {
    const text = refusalHint(status, message);
    expect(text.startsWith(message)).toBe(true);
    expect(text).toMatch(hint);
  });
});
