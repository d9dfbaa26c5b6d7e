// The apiserver's defaulting of Pod and Deployment, as run after every mutation at level apiserver: what a field a
// mutation added or removed comes back as (k8s.io/kubernetes pkg/apis/core/v1 and apps/v1 defaults).

import { describe, expect, it } from 'vitest';
import { admit } from './admit.ts';
import { builtinDefaults } from './builtin-defaults.ts';
import type { Json } from './jsonpatch.ts';
import type { AdmissionRequestInput, Mutation } from './types.ts';
import '../../k8s/openapi/load-all.ts';
import { DEPLOYMENT, mutatingRequest, VALID_DEPLOYMENT_SPEC } from './testing.ts';

const pod = (spec: Json): Json => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const deployment = (spec: Json): Json => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec });
const containerOf = (o: Json): Json => (o as { spec: { containers: Json[] } }).spec.containers[0] ?? null;

describe('a container gets SetDefaults_Container', () => {
  const cases: [image: string, policy: string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:2', 'IfNotPresent'],
    ['registry.example.com/team/app:latest', 'Always'],
    ['Nginx', 'IfNotPresent'], // does not parse: no tag
    ['', 'IfNotPresent'],
  ];
  for (const [image, policy] of cases)
    it(`image ${JSON.stringify(image)} pulls ${policy}`, () => {
      const out = builtinDefaults(pod({ containers: [{ name: 'c', image }] }));
      expect(containerOf(out)).toMatchObject({ imagePullPolicy: policy });
    });

  it('also gets the termination message defaults, `resources: {}`, TCP ports and the fieldRef apiVersion', () => {
    const out = builtinDefaults(
      pod({
        containers: [
          {
            name: 'c',
            image: 'a:1',
            ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
            env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          },
        ],
      }),
    );
    expect(containerOf(out)).toEqual({
      name: 'c',
      image: 'a:1',
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
      ports: [
        { containerPort: 80, protocol: 'TCP' },
        { containerPort: 53, protocol: 'UDP' },
      ],
      env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }],
    });
  });

  it('keeps what is set', () => {
    const set = {
      name: 'c',
      image: 'a',
      imagePullPolicy: 'Never',
      terminationMessagePath: '/x',
      terminationMessagePolicy: 'FallbackToLogsOnError',
      resources: { limits: { cpu: '1' } },
    };
    const out = builtinDefaults(deployment({ template: { spec: { containers: [set] } } }));
    expect((out as { spec: { template: { spec: { containers: Json[] } } } }).spec.template.spec.containers[0]).toEqual(
      set,
    );
  });
});

describe('a pod spec (Pod, and a Deployment template) gets SetDefaults_PodSpec and volume defaults', () => {
  it('fills the pod-level fields and gives a volume without a source an emptyDir, a hostPath the unset type', () => {
    const out = builtinDefaults(
      deployment({
        template: {
          spec: {
            volumes: [{ name: 'x' }, { name: 'h', hostPath: { path: '/a' } }, { name: 'c', configMap: { name: 'm' } }],
          },
        },
      }),
    ) as { spec: { template: { spec: Record<string, Json> } } };
    expect(out.spec.template.spec).toEqual({
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      volumes: [
        { name: 'x', emptyDir: {} },
        { name: 'h', hostPath: { path: '/a', type: '' } },
        { name: 'c', configMap: { name: 'm' } },
      ],
    });
  });

  it('a Pod (not a template) also gets enableServiceLinks, and each limit without a request as the request', () => {
    const out = builtinDefaults(
      pod({
        containers: [
          { name: 'c', image: 'a:1', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } } },
        ],
      }),
    ) as { spec: Record<string, Json> };
    expect(out.spec.enableServiceLinks).toBe(true);
    expect(containerOf(out)).toMatchObject({
      resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
    });
  });
});

describe('a Deployment gets SetDefaults_Deployment', () => {
  it('replicas, a RollingUpdate strategy of 25%/25%, revisionHistoryLimit and progressDeadlineSeconds', () => {
    expect((builtinDefaults(deployment({})) as { spec: Json }).spec).toEqual({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
  });
  it('a Recreate strategy gets no rollingUpdate', () => {
    const out = builtinDefaults(deployment({ replicas: 0, strategy: { type: 'Recreate' } })) as {
      spec: Record<string, Json>;
    };
    expect(out.spec).toMatchObject({ replicas: 0, strategy: { type: 'Recreate' } });
  });
});

describe('other kinds and the input', () => {
  it('leaves other kinds alone and never changes its input', () => {
    const cm: Json = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(builtinDefaults(cm)).toBe(cm);
    const d = deployment({});
    const copy = structuredClone(d);
    builtinDefaults(d);
    expect(d).toEqual(copy);
  });
});

describe('after a mutation, at level apiserver only', () => {
  const removeReplicas: Mutation = {
    patchType: 'JSONPatch',
    jsonPatch: { expression: '[JSONPatch{op: "remove", path: "/spec/replicas"}]' },
  };
  const input = (level: AdmissionRequestInput['level']): AdmissionRequestInput =>
    mutatingRequest(DEPLOYMENT, 'd', deployment({ replicas: 3, ...VALID_DEPLOYMENT_SPEC }), [removeReplicas], {
      level,
    });
  it('a removed replicas comes back as 1 at level apiserver', () => {
    expect(admit(input('apiserver')).object).toMatchObject({ spec: { replicas: 1 } });
  });
  it('and stays removed at level dispatcher (upstream unit tests register their own defaulter)', () => {
    expect(admit(input('dispatcher')).object).toEqual(deployment(VALID_DEPLOYMENT_SPEC));
  });
});
