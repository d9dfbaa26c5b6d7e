// The ValidatingAdmissionPolicy type check (status.typeChecking) against the case table: which kinds are
// checked, how object/params/variables are typed from the OpenAPI schemas, and cel-go's issue wording.

import { describe, expect, it } from 'vitest';
import '../../k8s/openapi/load-all.ts';
import { loadedOpenApi, type KubernetesVersion, type OpenApi } from '../../k8s/openapi/index.ts';
import { TYPECHECK_CASES } from './testdata/typecheck-cases.ts';
import { gvkString, typeCheckPolicy, typesToCheck } from './typechecking.ts';
import type { Policy, PolicySpec } from './types.ts';

const apiOf = (version: string): OpenApi => loadedOpenApi(version as KubernetesVersion)!;
const policy = (spec: PolicySpec): Policy => ({
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'p' },
  spec,
});

describe('status.typeChecking of a ValidatingAdmissionPolicy', () => {
  it.each(TYPECHECK_CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const version = c.version ?? '1.34';
    const r = typeCheckPolicy(policy(c.spec), { version, api: apiOf(version) });
    const lines = r.findings.flatMap((f) =>
      f.issues.map((i) => `${f.fieldRef} | ${gvkString(f.gvk)} | ${i.line}:${i.column}: ${i.message}`),
    );
    expect(lines).toEqual(c.expect);
    // One warning per expression with findings, in validation order.
    expect(r.expressionWarnings.map((w) => w.fieldRef)).toEqual([...new Set(r.findings.map((f) => f.fieldRef))]);
  });

  it('writes each kind as "<gvk>: <cel-go issues>\\n", kinds joined by a blank line', () => {
    const r = typeCheckPolicy(
      policy({
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['events'] }] },
        validations: [{ expression: 'object.x' }],
      }),
      { version: '1.34', api: apiOf('1.34') },
    );
    const issue = "ERROR: <input>:1:7: undefined field 'x'\n | object.x\n | ......^\n";
    expect(r.expressionWarnings).toEqual([
      {
        fieldRef: 'spec.validations[0].expression',
        warning: `/v1, Kind=Event: ${issue}\nevents.k8s.io/v1, Kind=Event: ${issue}`,
      },
    ]);
  });

  it('names the root type after the kind and the given digits (upstream: the nanosecond of the check)', () => {
    const spec: PolicySpec = {
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }] },
      validations: [{ expression: 'object.spec.template + 1' }],
    };
    const r = typeCheckPolicy(policy(spec), { version: '1.34', api: apiOf('1.34'), typeNameSuffix: '156542983' });
    expect(r.findings[0]!.issues[0]!.message).toBe(
      "found no matching overload for '_+_' applied to '(Deployment156542983.spec.template, int)'",
    );
  });

  it('resolves the kinds of CustomResourceDefinitions in the RESTMapper (their schemas are not modelled)', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', kind: 'Widget' },
        versions: [
          { name: 'v1', served: true },
          { name: 'v2', served: false },
        ],
      },
    };
    const p = policy({
      matchConstraints: {
        resourceRules: [{ apiGroups: ['example.com'], apiVersions: ['v1', 'v2'], resources: ['widgets'] }],
      },
      validations: [{ expression: 'object.x' }],
    });
    expect(typesToCheck(p, apiOf('1.34'), [crd])).toEqual([{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
    expect(typeCheckPolicy(p, { version: '1.34', api: apiOf('1.34'), customResourceDefinitions: [crd] })).toEqual({
      expressionWarnings: [],
      findings: [],
      checkedKinds: [],
    });
  });

  it('checks every version of the data: the kinds a version serves', () => {
    const p = policy({
      matchConstraints: {
        resourceRules: [{ apiGroups: ['resource.k8s.io'], apiVersions: ['v1'], resources: ['resourceclaims'] }],
      },
      validations: [{ expression: 'object.x' }],
    });
    // resource.k8s.io/v1 (DRA) is new in 1.34.
    expect(typesToCheck(p, apiOf('1.33'))).toEqual([]);
    expect(typesToCheck(p, apiOf('1.34'))).toEqual([
      { group: 'resource.k8s.io', version: 'v1', kind: 'ResourceClaim' },
    ]);
  });

  it('resolves only the API versions a default kube-apiserver serves, unless every version is on', () => {
    const rules = (apiGroups: string[], apiVersions: string[], resources: string[]) =>
      policy({ matchConstraints: { resourceRules: [{ apiGroups, apiVersions, resources }] }, validations: [] });
    const beta = rules(['networking.k8s.io'], ['v1beta1'], ['ipaddresses']);
    expect(typesToCheck(beta, apiOf('1.34'))).toEqual([]);
    expect(typesToCheck(beta, apiOf('1.34'), [], true)).toEqual([
      { group: 'networking.k8s.io', version: 'v1beta1', kind: 'IPAddress' },
    ]);
    // flowcontrol v1beta3 stayed on by default (a legacy beta) until its removal in 1.32.
    const flow = rules(['flowcontrol.apiserver.k8s.io'], ['v1beta3'], ['flowschemas']);
    const flowSchema = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema' };
    expect(typesToCheck(flow, apiOf('1.31'))).toEqual([flowSchema]);
    expect(typesToCheck(flow, apiOf('1.32'))).toEqual([]);
  });
});
