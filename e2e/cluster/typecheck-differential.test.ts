// The ValidatingAdmissionPolicy type check (status.typeChecking) of src/policy/admission against upstream's own
// TypeChecker (k8s.io/apiserver v0.34, as a library in cmd/typecheck, with kube-controller-manager's schema
// resolver). Every 1.34 case of the type-check table, plus the cases below, must give the same
// expressionWarnings, except for the digits upstream appends to the root type name (the nanosecond of the
// check), which are normalised. Twice: with the RESTMapper of cmd/typecheck built from the served resources of
// our OpenAPI data (upstream's KindsFor over those resources), and with the real kube-apiserver 1.34 of the
// harness behind it (its discovery RESTMapper and /openapi/v3, as kube-controller-manager builds the controller).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/k8s/openapi/load-all.ts';
import { loadedOpenApi } from '../../src/k8s/openapi/index.ts';
import { TYPECHECK_CASES, type TypeCheckCase } from '../../src/policy/admission/testdata/typecheck-cases.ts';
import { servedByDefault, typeCheckPolicy, type ExpressionWarning } from '../../src/policy/admission/typechecking.ts';
import { findGo, HARNESS_START_TIMEOUT_MS, reportSkipped, useHarness, type Harness } from './harness.ts';

reportSkipped('e2e/cluster/typecheck-differential.test.ts (VAP type checking against upstream TypeChecker)');

const here = path.dirname(fileURLToPath(import.meta.url));
// Always this checkout's own .build: HARNESS_DIR may point at binaries another checkout built.
const binDir = path.join(here, '.build', 'bin');
const binary = path.join(binDir, 'typecheck');
const source = path.join(here, 'cmd', 'typecheck', 'main.go');
const go = findGo();
const api = loadedOpenApi('1.34')!;

const deployments = { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }] };
const pods = { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] };

/** More probes, without expectations of their own: only agreement with upstream counts. */
const EXTRA: TypeCheckCase[] = [
  ...[
    "object.spec.template.spec.containers.exists(c, c.securityContext.privileged == 'yes')",
    'object.spec.template.spec.volumes.all(v, has(v.hostPath) == false && v.hostPath.path.size() > 0)',
    "object.spec.selector.matchLabels.app == object.spec.template.metadata.labels['app']",
    'object.spec.template.spec.containers.map(c, c.ports).size() > 0 && object.spec.paused',
    'object.status.conditions.exists(c, c.lastTransitionTime > timestamp("2020-01-01T00:00:00Z"))',
    'object.spec.template.spec.containers[0].resources.claims.exists(c, c.name == 1)',
    'object.?spec.?replicas.orValue(1) + 1 > 0 && object.?spec.?nope.hasValue()',
    'oldObject.spec.replicas <= object.spec.replicas && oldObject.spec.foo',
    "namespaceObject.metadata.labels['env'] == 'prod' && request.userInfo.username == 'x'",
    'object.spec.minReadySeconds == 1.0',
    'object.metadata.managedFields[0].fieldsV1.x',
    "object.metadata.ownerReferences.all(o, o.controller && o.uid == '')",
    'object.spec.template.spec.dnsConfig.options[0].value + 1',
    'object.spec.strategy.type in ["Recreate", 1]',
  ].map((expression, i): TypeCheckCase => ({
    id: `deployment-probe-${i}`,
    spec: { matchConstraints: deployments, validations: [{ expression }] },
    expect: [],
  })),
  ...[
    'object.spec.containers.all(c, c.env.all(e, e.valueFrom.fieldRef.fieldPath != 1))',
    'object.spec.overhead.cpu',
    "object.spec.nodeSelector['x'] + 1",
    'object.spec.securityContext.sysctls.exists(s, s.value == 1)',
    'object.spec.containers[0].livenessProbe.httpGet.port == 8080',
    "object.status.podIP.startsWith('10.') && object.status.startTime.getHours() > 1",
    'object.spec.activeDeadlineSeconds * 2.0',
  ].map((expression, i): TypeCheckCase => ({
    id: `pod-probe-${i}`,
    spec: { matchConstraints: pods, validations: [{ expression, messageExpression: `string(${expression})` }] },
    expect: [],
  })),
  {
    // A beta version a default kube-apiserver does not serve: the RESTMapper has no such resource.
    id: 'beta-not-served',
    spec: {
      matchConstraints: {
        resourceRules: [
          { apiGroups: ['networking.k8s.io'], apiVersions: ['v1', 'v1beta1'], resources: ['ipaddresses'] },
        ],
      },
      validations: [{ expression: 'object.x' }],
    },
    expect: [],
  },
  {
    id: 'many-rules-and-params',
    spec: {
      paramKind: { apiVersion: 'apps/v1', kind: 'Deployment' },
      matchConstraints: {
        resourceRules: [
          { apiGroups: ['', 'apps'], apiVersions: ['v1'], resources: ['deployments', 'replicasets', 'services'] },
          { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs', 'cronjobs'] },
          { apiGroups: ['networking.k8s.io'], apiVersions: ['v1', 'v1beta1'], resources: ['ingresses'] },
        ],
      },
      variables: [{ name: 'r', expression: 'params.spec.replicas' }],
      validations: [{ expression: 'object.spec.replicas == variables.r' }, { expression: 'object.metadata.x' }],
    },
    expect: [],
  },
];

const normalise = (warnings: ExpressionWarning[]) =>
  warnings.map((w) => ({ ...w, warning: w.warning.replace(/\b([A-Z][A-Za-z]*)\d{1,9}\./g, '$10.') }));

describe.skipIf(!go)('VAP type checking: src/policy/admission vs upstream TypeChecker (1.34)', () => {
  beforeAll(() => {
    const stale = !existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs;
    if (!stale) return;
    mkdirSync(binDir, { recursive: true });
    const r = spawnSync(go!, ['build', '-o', binary, './cmd/typecheck'], { cwd: here, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`go build ./cmd/typecheck failed:\n${r.stderr}`);
  }, 900_000);

  const cases = [...TYPECHECK_CASES.filter((c) => (c.version ?? '1.34') === '1.34'), ...EXTRA];

  const compare = (source: { mappings: unknown[] } | { kubeconfig: string }) => {
    const input = {
      ...source,
      policies: cases.map((c) => ({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: c.id },
        spec: c.spec,
      })),
    };
    const r = spawnSync(binary, { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const upstream = JSON.parse(r.stdout) as ExpressionWarning[][];
    return cases.flatMap((c, i) => {
      const ours = typeCheckPolicy(
        { kind: 'ValidatingAdmissionPolicy', metadata: { name: c.id }, spec: c.spec },
        { version: '1.34', api },
      ).expressionWarnings;
      const theirs = normalise(upstream[i]!);
      return JSON.stringify(theirs) === JSON.stringify(ours) ? [] : [{ id: c.id, upstream: theirs, ours }];
    });
  };

  it(`all ${cases.length} policies get the same status.typeChecking (RESTMapper from our served resources)`, () => {
    const mappings = api
      .resources()
      .filter((r) => servedByDefault(34, r))
      .map((r) => ({ Group: r.group, Version: r.version, Resource: r.resource, Kind: r.kind }));
    expect(compare({ mappings })).toEqual([]);
  });

  describe('against the real kube-apiserver', () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await useHarness();
    }, HARNESS_START_TIMEOUT_MS);
    afterAll(async () => {
      await harness?.release();
    });

    it(`all ${cases.length} policies get the same status.typeChecking (discovery RESTMapper, /openapi/v3)`, () => {
      expect(compare({ kubeconfig: harness.ready.kubeconfig })).toEqual([]);
    });
  });
});
