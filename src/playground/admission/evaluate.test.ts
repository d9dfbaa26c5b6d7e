// The admission page's evaluator: how it reads its editors, where it puts markers, and what it answers for bad
// input. The policy semantics themselves are pinned by src/policy/admission's vectors.

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Diagnostic } from '../evaluation.ts';
import { evaluateAdmissionPageLoaded, MAX_DIFF_CHARS } from './evaluate.ts';
import { ADMISSION_EXAMPLES } from './examples.ts';
import '../../k8s/openapi/load-all.ts';

const base = (id: string) => ADMISSION_EXAMPLES.find((e) => e.id === id)!.docs;
const run = (docs: Record<string, string>, version: '1.30' | '1.32' | '1.33' | '1.34' = '1.34') =>
  evaluateAdmissionPageLoaded({ page: 'admission', version, docs, options: {} });
const sidecar = base('sidecar');
const registry = base('trusted-registry');
const at = (d: Diagnostic) => `${d.doc}:${d.range.startLineNumber}:${d.range.startColumn}`;
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('the object after mutation goes through kube-apiserver’s validation', () => {
  it('a sidecar without an image is a 422, with the field error on the object and no validating policy run', () => {
    const policy = sidecar.policy!.replace('image: "registry.example.com/tools/log-shipper:2.1",', '');
    expect(policy).not.toBe(sidecar.policy);
    const { result, diagnostics } = run({ ...sidecar, policy });
    expect(result.outcome).toBe('denied');
    expect(result.error?.status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(result.error?.message).toBe('Pod "web" is invalid: spec.containers[1].image: Required value');
    expect(result.objectValidation).toEqual({
      kind: 'Pod',
      operation: 'CREATE',
      modelled: true,
      errors: [{ field: 'spec.containers[1].image', message: 'Required value' }],
    });
    // The container is not in the object editor: the marker goes on the nearest part of its path, the list.
    const marker = diagnostics.find((d) => d.doc === 'object');
    expect(marker?.message).toBe('after mutation: spec.containers[1].image: Required value');
  });

  it('says when the kind is not modelled', () => {
    const { result } = run(base('replicas-limit'));
    expect(result.objectValidation?.modelled).toBe(true);
    const cm = run({
      ...sidecar,
      object: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n',
    });
    expect(cm.result.objectValidation).toMatchObject({ kind: 'ConfigMap', modelled: false, errors: [] });
  });
});

describe('reading the editors', () => {
  it('fills the request from the object: kind, resource, namespace and name', () => {
    const { result } = run({ ...registry, request: 'operation: CREATE' });
    expect(result.request).toMatchObject({
      operation: 'CREATE',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'shop',
      name: 'web',
    });
    expect(result.assumed).toEqual([
      'the defaults kube-apiserver gives a Pod (imagePullPolicy, terminationMessagePath…)',
    ]);
  });

  it('the object is defaulted as kube-apiserver decodes it, so the diff shows only what the policies did', () => {
    const { result } = run(sidecar);
    const before = parse(result.inputYaml!) as { spec: Record<string, unknown> & { containers: object[] } };
    expect(before.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', enableServiceLinks: true });
    expect(before.spec.containers[0]).toMatchObject({ terminationMessagePath: '/dev/termination-log', resources: {} });
    // The injected container is defaulted after the mutation, as the dispatcher's defaulter does.
    const after = parse(result.finalYaml!) as { spec: { containers: object[] } };
    expect(after.spec.containers[1]).toMatchObject({
      name: 'log-shipper',
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePolicy: 'File',
    });
  });

  it('an object without a namespace is created in default, and the policy sees the namespace set', () => {
    const object = registry.object!.replace('  namespace: shop\n', '');
    const { result } = run({ ...registry, object, namespace: '' });
    expect(result.request?.namespace).toBe('default');
    expect(result.error?.message).toContain('pods "web" is forbidden');
    expect(result.assumed).toEqual([
      "namespace default (as kubectl's default context)",
      'the defaults kube-apiserver gives a Pod (imagePullPolicy, terminationMessagePath…)',
      'namespace object default with only its kubernetes.io/metadata.name label',
    ]);
  });

  it('a kind outside the well-known ones has its resource guessed, and says so', () => {
    const object = 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: g\n';
    const { result } = run({ ...registry, object });
    expect(result.request?.resource).toEqual({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      resource: 'gateways',
    });
    expect(result.assumed[0]).toMatch(/^resource gateways \(guessed from the kind/);
    // The policy matches pods only: the gateway is admitted untouched.
    expect(result).toMatchObject({ outcome: 'admitted', changed: false });
    expect(result.validations.map((v) => [v.matched, v.why])).toEqual([
      [false, 'policy trusted-registry: no resourceRule matches CREATE gateway.networking.k8s.io/v1/gateways'],
    ]);
  });

  it('several policies in one editor, separated by ---, all run', () => {
    const policy = `${sidecar.policy}---\n${base('jsonpatch').policy}`;
    const binding = `${sidecar.binding}---\n${base('jsonpatch').binding}`;
    const { result } = run({ ...sidecar, policy, binding });
    expect(result.policies.map((p) => p.name)).toEqual(['inject-log-shipper', 'mark-scanned']);
    expect(result.finalYaml).toContain('name: log-shipper');
    expect(result.finalYaml).toContain('policy.example.com/scanned-by: porthole');
  });

  it('a DELETE runs validations against the old object, and mutations not at all', () => {
    const { result } = run({ ...registry, object: '', oldObject: registry.object!, request: 'operation: DELETE' });
    expect(result.request?.operation).toBe('DELETE');
    // The policy matches CREATE and UPDATE only.
    expect(result.validations.map((v) => v.why)).toEqual([
      'policy trusted-registry: no resourceRule matches DELETE core/v1/pods',
    ]);
    expect(result.outcome).toBe('admitted');
  });
});

describe('markers', () => {
  it('a policy without a binding is a warning on its name: kube-apiserver never runs it', () => {
    const { result, diagnostics } = run({ ...sidecar, binding: '' });
    expect(result).toMatchObject({ outcome: 'admitted', changed: false, policies: [{ bound: false }] });
    expect(diagnostics.map((d) => [at(d), d.severity, d.message])).toEqual([
      [
        `policy:${lineOf(sidecar.policy!, 'name: inject-log-shipper')}:9`,
        'warning',
        'no MutatingAdmissionPolicyBinding names this policy: kube-apiserver never runs it',
      ],
    ]);
  });

  it('a binding that names no policy is a warning on policyName', () => {
    const binding = sidecar.binding!.replace('policyName: inject-log-shipper', 'policyName: typo');
    const { diagnostics } = run({ ...sidecar, binding });
    expect(diagnostics.find((d) => d.doc === 'binding')).toMatchObject({
      severity: 'warning',
      message: 'no MutatingAdmissionPolicy named "typo" in the policy editor: this binding does nothing',
    });
  });

  it('a CEL compile error is marked at its character inside the YAML string, and the policy is not created', () => {
    const policy = registry.policy!.replace('size(variables.untrusted) == 0', 'size(variables.untrusted) == 0 &&');
    const { result, diagnostics } = run({ ...registry, policy });
    expect(result.outcome).toBe('invalid-policy');
    expect(result.createError).toMatch(
      /^ValidatingAdmissionPolicy\.admissionregistration\.k8s\.io "trusted-registry" is invalid: spec\.validations\[0\]\.expression: Invalid value: "size\(variables\.untrusted\) == 0 &&": compilation failed: ERROR: <input>:1:34: Syntax error/,
    );
    const line = lineOf(policy, '- expression: size(');
    const marker = diagnostics.find((d) => d.doc === 'policy' && d.severity === 'error')!;
    expect(at(marker)).toBe(`policy:${line}:${'  - expression: '.length + 34}`);
    expect(marker.message).toMatch(/Syntax error.*\(spec\.validations\[0\]\.expression\)$/);
  });

  it('a field error without CEL is marked on the field', () => {
    const binding = registry.binding!.replace('  validationActions: [Deny]\n', '');
    const { result, diagnostics } = run({ ...registry, binding });
    expect(result.createError).toBe(
      'ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io "trusted-registry" is invalid: spec.validationActions: Required value',
    );
    expect(diagnostics.find((d) => d.doc === 'binding')).toMatchObject({
      severity: 'error',
      message: 'Required value',
    });
  });

  it('a runtime error is marked on the expression that raised it', () => {
    const object = sidecar.object!;
    const policy = sidecar.policy!.replace('object.spec.containers.exists', 'object.spec.initContainers.exists');
    const { result, diagnostics } = run({ ...sidecar, object, policy });
    expect(result.outcome).toBe('denied');
    expect(result.error?.message).toContain('resulted in error: no such key: initContainers');
    expect(diagnostics.find((d) => d.severity === 'error')).toMatchObject({
      doc: 'policy',
      range: { startLineNumber: lineOf(policy, "expression: '!object") },
    });
  });

  it('a wrong kind in the policy editor, or a kind this version does not serve, is marked on the field', () => {
    const wrong = run({ ...sidecar, policy: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
    expect(wrong.result.inputError).toBe(
      'policy: kind must be MutatingAdmissionPolicy or ValidatingAdmissionPolicy, got "ConfigMap"',
    );
    const beta = run({ ...sidecar, policy: sidecar.policy!.replace('v1alpha1', 'v1beta1') }, '1.33');
    expect(beta.result.inputError).toBe(
      'policy: no matches for kind "MutatingAdmissionPolicy" in version "admissionregistration.k8s.io/v1beta1": Kubernetes 1.33 serves admissionregistration.k8s.io/v1alpha1',
    );
    expect(at(beta.diagnostics[0]!)).toBe('policy:1:13');
  });

  it('two policies of one kind and name: the second "already exists"', () => {
    const { result } = run({ ...sidecar, policy: `${sidecar.policy}---\n${sidecar.policy}` });
    expect(result.inputError).toBe(
      'policy: MutatingAdmissionPolicy.admissionregistration.k8s.io "inject-log-shipper" already exists',
    );
  });
});

describe('bad input: a clear message, nothing else lost', () => {
  it('malformed YAML is marked where it is, and the result names the editor', () => {
    const { result, diagnostics } = run({ ...sidecar, object: 'metadata:\n  name: [web\n' });
    expect(result).toMatchObject({ outcome: 'invalid-input', inputError: 'the object editor has a YAML error' });
    expect(diagnostics[0]).toMatchObject({ doc: 'object', severity: 'error' });
  });

  it('a YAML alias bomb is refused, not expanded', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
      .concat(
        Array.from(
          { length: 9 },
          (_, i) => `${'bcdefghij'[i]}: &${'bcdefghij'[i]} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`,
        ),
      )
      .join('\n');
    const { result, diagnostics } = run({ ...sidecar, params: bomb });
    expect(result.inputError).toBe('the params editor has a YAML error');
    expect(diagnostics[0]!.message).toMatch(/^YAML: .*alias/i);
  });

  it('a policy with 1,000 mutations is evaluated, each one traced', () => {
    const one = `  - patchType: JSONPatch\n    jsonPatch:\n      expression: '[JSONPatch{op: "test", path: "/metadata/name", value: "web"}]'\n`;
    const policy = sidecar.policy!.split('  mutations:\n')[0] + '  mutations:\n' + one.repeat(1000);
    const { result } = run({ ...sidecar, policy });
    expect(result.outcome).toBe('admitted');
    expect(result.invocations[0]!.mutations).toHaveLength(1000);
  });

  it('an object of 5 MB is admitted, and not diffed', () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    // In an env value: a label or annotation that size fails the apiserver's object validation.
    const object = sidecar.object!.replace('    ports:', `    env:\n    - name: BIG\n      value: ${big}\n    ports:`);
    const { result } = run({ ...sidecar, object });
    expect(result.outcome).toBe('admitted');
    expect(result.inputYaml).toBeUndefined();
    expect(result.diffSkipped).toMatch(/^the object is 5\.\d MB as YAML: too large to diff here/);
    expect(MAX_DIFF_CHARS).toBeLessThan(big.length);
  });

  it('a JSONPatch into nowhere is the apiserver’s error, on the mutation', () => {
    const policy = base('jsonpatch').policy!.replace('/spec/containers/0/imagePullPolicy', '/spec/nowhere/0/x');
    const { result, diagnostics } = run({ ...base('jsonpatch'), policy });
    expect(result.outcome).toBe('denied');
    expect(result.error?.message).toMatch(/^policy 'mark-scanned' with binding 'mark-scanned' denied request: /);
    expect(diagnostics.some((d) => d.doc === 'policy' && d.severity === 'error')).toBe(true);
  });

  it('__proto__ keys are plain data: the label rule names it, and nothing is polluted', () => {
    const object = sidecar.object!.replace('    app: web', '    app: web\n    __proto__: polluted');
    const { result } = run({ ...sidecar, object });
    expect(result.outcome).toBe('denied');
    expect(result.error?.message).toMatch(
      /^Pod "web" is invalid: metadata\.labels: Invalid value: "__proto__": name part must consist of alphanumeric/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('an empty page asks for a policy', () => {
    const { result } = run({});
    expect(result.inputError).toBe(
      'write a MutatingAdmissionPolicy or a ValidatingAdmissionPolicy in the policy editor',
    );
  });

  it('an UPDATE without the old object says what is missing', () => {
    const { result, diagnostics } = run({ ...sidecar, request: 'operation: UPDATE' });
    expect(result.inputError).toBe('request.operation: an UPDATE needs the old object (the one stored before it)');
    expect(at(diagnostics[0]!)).toBe('request:1:12');
  });
});

describe('served apiVersions, as each version’s OpenAPI document lists them', () => {
  const cases: { version: '1.30' | '1.32' | '1.33' | '1.34'; apiVersion: string; refused?: string }[] = [
    { version: '1.30', apiVersion: 'admissionregistration.k8s.io/v1alpha1' },
    { version: '1.32', apiVersion: 'admissionregistration.k8s.io/v1beta1' },
    {
      version: '1.32',
      apiVersion: 'admissionregistration.k8s.io/v1alpha1',
      refused: 'Kubernetes 1.32 serves admissionregistration.k8s.io/v1, admissionregistration.k8s.io/v1beta1',
    },
    { version: '1.33', apiVersion: 'admissionregistration.k8s.io/v1beta1' },
    {
      version: '1.34',
      apiVersion: 'admissionregistration.k8s.io/v1beta1',
      refused: 'Kubernetes 1.34 serves admissionregistration.k8s.io/v1',
    },
  ];
  for (const c of cases)
    it(`ValidatingAdmissionPolicy ${c.apiVersion} on ${c.version}: ${c.refused ? 'not served' : 'served'}`, () => {
      const policy = registry.policy!.replace('admissionregistration.k8s.io/v1', c.apiVersion);
      const { result } = run({ ...registry, policy }, c.version);
      if (c.refused) expect(result.inputError).toMatch(new RegExp(`: ${c.refused.replace(/[.]/g, '\\.')}$`));
      else expect(result.outcome).toBe('denied');
    });
});

describe('status.typeChecking', () => {
  it('a typo in a validation is admitted as kube-apiserver would, and warned about as the status controller would', () => {
    const policy = registry.policy!.replace(
      'expression: size(variables.untrusted) == 0',
      'expression: size(variables.untrusted) == 0 && object.spec.hostNetwrk',
    );
    const { result, diagnostics } = run({ ...registry, policy });
    // kube-apiserver compiles object as dyn: the policy is created and denies as before (`false && …`).
    expect(result.outcome).toBe('denied');
    expect(result.error?.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    const warning =
      "/v1, Kind=Pod: ERROR: <input>:1:46: undefined field 'hostNetwrk'\n" +
      ' | size(variables.untrusted) == 0 && object.spec.hostNetwrk\n' +
      ` | ${'.'.repeat(45)}^\n`;
    expect(result.typeChecking).toEqual([
      {
        policy: 'trusted-registry',
        checkedKinds: ['/v1, Kind=Pod'],
        expressionWarnings: [{ fieldRef: 'spec.validations[0].expression', warning }],
      },
    ]);
    const marks = diagnostics.filter((d) => d.message.startsWith('status.typeChecking'));
    const line = lineOf(policy, 'hostNetwrk');
    const column = policy.split('\n')[line - 1]!.indexOf('.hostNetwrk') + 1;
    expect(marks.map((d) => [d.severity, at(d), d.message])).toEqual([
      [
        'warning',
        `policy:${line}:${column}`,
        "status.typeChecking: /v1, Kind=Pod: undefined field 'hostNetwrk' (spec.validations[0].expression)",
      ],
    ]);
  });

  it('mutating policies have no status and are not type-checked', () => {
    const { result } = run(sidecar);
    expect(result.policies.map((p) => p.kind)).toEqual(['MutatingAdmissionPolicy']);
    expect(result.typeChecking).toEqual([]);
  });
});
