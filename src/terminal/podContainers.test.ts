import { describe, expect, it } from 'vitest';
import { containerChoices, defaultContainerName, type Pod } from './podContainers.ts';

const multi: Pod = {
  metadata: { name: 'multi', annotations: { 'kubectl.kubernetes.io/default-container': 'app' } },
  spec: {
    initContainers: [{ name: 'init' }],
    containers: [{ name: 'sidecar', stdin: true, tty: true }, { name: 'app' }],
    ephemeralContainers: [{ name: 'debugger', stdin: true, tty: true }],
  },
  status: {
    phase: 'Running',
    initContainerStatuses: [{ name: 'init', state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
    containerStatuses: [
      { name: 'sidecar', state: { running: {} } },
      { name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } },
    ],
  },
};

describe('defaultContainerName (kubectl FindOrDefaultContainerByName)', () => {
  const cases: Array<{ name: string; pod: Pod; want: string | undefined }> = [
    { name: 'annotation names a regular container', pod: multi, want: 'app' },
    {
      name: 'annotation names an init container',
      pod: { ...multi, metadata: { name: 'm', annotations: { 'kubectl.kubernetes.io/default-container': 'init' } } },
      want: 'init',
    },
    {
      name: 'annotation names no container: first regular container',
      pod: { ...multi, metadata: { name: 'm', annotations: { 'kubectl.kubernetes.io/default-container': 'nope' } } },
      want: 'sidecar',
    },
    { name: 'no annotation: first regular container', pod: { ...multi, metadata: { name: 'm' } }, want: 'sidecar' },
    { name: 'no containers', pod: { metadata: { name: 'empty' } }, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => expect(defaultContainerName(c.pod)).toBe(c.want));
  }
});

describe('containerChoices', () => {
  it('lists init, regular and ephemeral containers with their state, default and attach eligibility', () => {
    expect(containerChoices(multi)).toEqual([
      {
        name: 'init',
        kind: 'init',
        state: 'terminated: Completed (exit 0)',
        isDefault: false,
        attachDisabledReason:
          'Attach needs a container started with stdin: true and tty: true; init was started without stdin: true and tty: true.',
      },
      { name: 'sidecar', kind: 'regular', state: 'running', isDefault: false, attachDisabledReason: null },
      {
        name: 'app',
        kind: 'regular',
        state: 'waiting: CrashLoopBackOff',
        isDefault: true,
        attachDisabledReason:
          'Attach needs a container started with stdin: true and tty: true; app was started without stdin: true and tty: true.',
      },
      { name: 'debugger', kind: 'ephemeral', state: 'unknown', isDefault: false, attachDisabledReason: null },
    ]);
  });

  it('names the one missing field when a container has stdin but no tty', () => {
    const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', stdin: true }] } };
    expect(containerChoices(pod)[0]?.attachDisabledReason).toBe(
      'Attach needs a container started with stdin: true and tty: true; c was started without tty: true.',
    );
  });
});
