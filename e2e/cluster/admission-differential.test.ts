// Suite 3 of issue 4: every admission vector (src/policy/admission/testdata, ids kept) that a live kube-apiserver
// 1.34 can be given is asked of it and of src/policy/admission's admit() (what `porthole admission` runs), with the
// same input. The apiserver gets the vector's policies, bindings, params (and CRDs), then the request itself,
// dry-run, as the vector's user (impersonation); admit() gets the same policies, params and request at level
// `apiserver`, and the object as the apiserver's admission chain sees it. Differences must be listed, with why, in
// admission-known-differences.txt; a listed one that agrees again fails too.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admit } from '../../src/policy/admission/admit.ts';
import { admissionOutcome } from '../../src/policy/admission/input.ts';
import type { Json } from '../../src/policy/admission/jsonpatch.ts';
import type { AdmissionOutcome, AdmissionRequestInput } from '../../src/policy/admission/types.ts';
import { VECTORS, type Vector } from '../../src/policy/admission/vector-check.ts';
import { OBJECT_VALIDATION_CASES } from '../../src/policy/admission/object-validation/cases.ts';
import {
  groupVersionPath,
  kube,
  METHOD,
  policyApiVersion,
  policyCollection,
  probeObjects,
  probesActive,
  requestPath,
  type KubeResponse,
} from './admission-channel.ts';
import { differenceReport, expectAgreedOrListed, oneLine, readKnownDifferences, type Compared } from './differences.ts';
import { goAvailable, HARNESS_START_TIMEOUT_MS, reportSkipped, useHarness, type Harness } from './harness.ts';
import '../../src/k8s/openapi/load-all.ts';

reportSkipped('e2e/cluster/admission-differential.test.ts (admission: src/policy/admission against kube-apiserver)');

const here = path.dirname(fileURLToPath(import.meta.url));
const KNOWN_FILE = path.join(here, 'admission-known-differences.txt');
const VERSION = '1.34';
/** Put on every policy and binding this file creates, so a run cleans up what an interrupted one left. */
const OWNER_LABEL = 'porthole.test/admission-differential';

type Obj = Record<string, Json>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

/** Vectors the live apiserver cannot be given, with why. */
const NOT_EXPRESSIBLE: Record<string, string> = Object.fromEntries(
  VECTORS.filter((v) => Number(/1\.(\d+)/.exec(v.k8s)?.[1] ?? '0') > 34).map((v) => [
    v.id,
    `a vector for Kubernetes ${v.k8s}; the harness runs 1.34`,
  ]),
);

/**
 * The CRD of the param kind `rules.example.com/v1 ReplicaLimit` that the upstream documentation example
 * (vap-message-expression) assumes exists: namespaced, any fields kept. A harness input, not part of the vector.
 */
const REPLICA_LIMIT_CRD: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'replicalimits.rules.example.com' },
  spec: {
    group: 'rules.example.com',
    scope: 'Namespaced',
    names: { plural: 'replicalimits', singular: 'replicalimit', kind: 'ReplicaLimit', listKind: 'ReplicaLimitList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { maxReplicas: { type: 'integer' } },
          },
        },
      },
    ],
  },
};

/** The label pod templates get so that a Deployment has the selector the apiserver requires. */
const APP_LABEL = 'porthole.test/app';

/**
 * The vector's object made admissible by the apiserver's validation with as little as possible: a Deployment gets a
 * selector and a template labelled for it, a container when it has none and an image per
 * container; a Pod does not mount a service account token (its volume name would be random).
 */
function admissible(object: Json): Json {
  if (!isObj(object)) return object;
  const o = clone(object);
  if (o.kind === 'Deployment') {
    const spec = (isObj(o.spec) ? o.spec : (o.spec = {})) as Obj;
    const name = String((o.metadata as Obj | undefined)?.name ?? 'app');
    spec.selector ??= { matchLabels: { [APP_LABEL]: name } };
    const template = (isObj(spec.template) ? spec.template : (spec.template = {})) as Obj;
    const meta = (isObj(template.metadata) ? template.metadata : (template.metadata = {})) as Obj;
    meta.labels = { ...(isObj(meta.labels) ? meta.labels : {}), [APP_LABEL]: name };
    const podSpec = (isObj(template.spec) ? template.spec : (template.spec = {})) as Obj;
    admissiblePodSpec(podSpec);
  }
  if (o.kind === 'Pod' && isObj(o.spec)) {
    admissiblePodSpec(o.spec);
    o.spec.automountServiceAccountToken = false;
  }
  return o;
}

function admissiblePodSpec(spec: Obj): void {
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) spec.containers = [{ name: 'app' }];
  for (const list of [spec.containers, spec.initContainers])
    for (const c of Array.isArray(list) ? list : []) if (isObj(c)) c.image ??= `registry.test/${String(c.name)}:1`;
}

/**
 * What both sides are given: the vector with its object (and old object) admissible, MutatingAdmissionPolicy in
 * v1beta1 (what 1.34 serves; the fields are the same), the dry run the request really is, the whole apiserver
 * (`level: apiserver`), and our owner label on policies and bindings (policy labels are not visible to CEL).
 */
function adapt(v: Vector): AdmissionRequestInput {
  const labelled = <T extends { apiVersion?: string; kind: string; metadata: { name: string } }>(p: T): T => ({
    ...clone(p),
    apiVersion: policyApiVersion(p.kind),
    metadata: { ...clone(p.metadata), labels: { [OWNER_LABEL]: 'true' } },
  });
  return {
    version: VERSION,
    level: 'apiserver',
    request: { ...clone(v.request), dryRun: true },
    policies: v.policies.map(labelled),
    bindings: (v.bindings ?? []).map(labelled),
    params: clone(v.params ?? []),
    object: admissible(v.object),
    oldObject: v.oldObject === undefined || v.oldObject === null ? v.oldObject : admissible(v.oldObject),
    ...(v.namespaceObject ? { namespaceObject: clone(v.namespaceObject) } : {}),
    ...(v.authorizer ? { authorizer: clone(v.authorizer) } : {}),
    ...(v.customResourceDefinitions ? { customResourceDefinitions: clone(v.customResourceDefinitions) } : {}),
  };
}

/** Set by the apiserver when it stores an object; an admission plugin sees none of them on CREATE. */
const SERVER_SET = ['uid', 'resourceVersion', 'creationTimestamp', 'generation'];
/**
 * Compared objects drop the server-set metadata above and `managedFields` (the field manager's entry carries the
 * time of the request). Nothing else is normalized.
 */
const UNCOMPARED = [...SERVER_SET, 'managedFields'];

function withoutMetadata(object: Json, keys: string[]): Json {
  if (!isObj(object) || !isObj(object.metadata)) return object;
  const metadata = { ...object.metadata };
  for (const k of keys) delete metadata[k];
  return { ...object, metadata };
}

/** Object keys sorted, so that Go's map order means nothing. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObj(v))
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, canonical(x)]),
    );
  return v;
}

/** One answer, in the shape `porthole admission` prints, with what neither side can show to a client removed. */
type Answer = AdmissionOutcome;

/**
 * Our outcome made comparable: objects without uncompared metadata, Status without `details` (the apiserver's
 * carries the object's name and kind, which admit() does not model), and no auditAnnotations (a client never sees
 * them; they go to the audit log only).
 */
function comparable(a: AdmissionOutcome): unknown {
  if ('object' in a)
    return canonical({ ...a, object: withoutMetadata(a.object, UNCOMPARED), auditAnnotations: undefined });
  if ('error' in a) {
    const { code, reason, message } = a.error.status;
    return { error: { code, reason, message } };
  }
  if ('allowed' in a) return { allowed: true, warnings: a.warnings };
  return a;
}

/** The apiserver's answer to the vector's request, in the same shape. */
function fromResponse(input: AdmissionRequestInput, res: KubeResponse, without: string[]): Answer {
  if (res.status >= 200 && res.status < 300) {
    res = { ...res, warnings: res.warnings.filter((w) => !without.includes(w)) };
    const mutating = input.policies.some((p) => p.kind === 'MutatingAdmissionPolicy');
    if (mutating) return { object: res.json as Json, ...(res.warnings.length ? { warnings: res.warnings } : {}) };
    return { allowed: true, warnings: res.warnings, auditAnnotations: {} };
  }
  if (res.status === 0)
    return { error: { message: res.body, status: { code: 0, reason: 'ConnectionReset', message: res.body } } };
  const s = (res.json ?? {}) as { code?: number; reason?: string; message?: string };
  const status = { code: s.code ?? res.status, reason: s.reason ?? '', message: s.message ?? res.body };
  return { error: { message: status.message, status } };
}

const show = (a: unknown): string => oneLine(JSON.stringify(a));

/** The names of the kinds a vector request targets that are cluster-scoped. */
const CLUSTER_SCOPED = new Set(['namespaces', 'pandas']);

/** The resources a vector's policies name in their rules (without subresource), and the one its request is for. */
function resourcesOf(v: Vector): { named: Set<string>; requested: string } {
  const named = new Set(
    v.policies.flatMap((p) =>
      (p.spec.matchConstraints?.resourceRules ?? []).flatMap((r) => (r.resources ?? []).map((x) => x.split('/')[0]!)),
    ),
  );
  return { named, requested: v.request.resource.resource };
}

/**
 * Vectors that may share a round: no policy of one names (or wildcards) the resource another requests, and no policy
 * or binding names are shared (the vectors' own names are kept: they are in the messages). Decided from
 * the policy text alone, not by our evaluator: a wrong grouping would show as a difference, never hide one.
 */
function inRounds(vectors: Vector[]): Vector[][] {
  const apart = (a: Vector, b: Vector): boolean => {
    const ra = resourcesOf(a);
    const rb = resourcesOf(b);
    const hits = (named: Set<string>, r: string) => named.has('*') || named.has(r);
    const names = (v: Vector) => [...v.policies, ...(v.bindings ?? [])].map((p) => `${p.kind}/${p.metadata.name}`);
    const clash = names(a).some((x) => names(b).includes(x));
    return ra.requested !== rb.requested && !hits(ra.named, rb.requested) && !hits(rb.named, ra.requested) && !clash;
  };
  const left = [...vectors];
  const rounds: Vector[][] = [];
  while (left.length) {
    const round: Vector[] = [];
    for (const v of [...left])
      if (round.every((w) => apart(v, w))) {
        round.push(v);
        left.splice(left.indexOf(v), 1);
      }
    rounds.push(round);
  }
  return rounds;
}

interface Row {
  id: string;
  level: string;
  /** What admit() was given (the apiserver got the same policies, bindings, params and request). */
  input: AdmissionRequestInput;
  apiserver: Answer;
  ours: Answer;
  /** The round it was asked in (its policies side by side with those of the round's other vectors). */
  round: number;
  /** How many times the request was sent until two answers in a row were the same. */
  attempts: number;
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first `Observed a panic` the apiserver logged after byte `from` of its log (it may take a moment). */
async function panicSince(log: string, from: number): Promise<string | undefined> {
  for (let i = 0; i < 20; i++) {
    const text = readFileSync(log).subarray(from).toString('utf8');
    const m = /"Observed a panic" panic=<\n\s*(.*)\n/.exec(text);
    if (m) return `apiserver panic: ${m[1]!.trim()}`;
    await sleep(100);
  }
  return undefined;
}

describe.runIf(goAvailable)('admission: src/policy/admission against the real kube-apiserver 1.34', () => {
  let harness: Harness;
  const run = Date.now().toString(36);
  const asked = VECTORS.filter((v) => !NOT_EXPRESSIBLE[v.id]);
  const rows = new Map<string, Row>();
  const known = readKnownDifferences(KNOWN_FILE);
  let runtimeMs = 0;
  /** URLs of what the setup created (besides policies and bindings, which carry the owner label). */
  const created: string[] = [];

  /** Fails loudly on anything but the expected statuses. */
  async function must(method: string, url: string, body?: unknown, ok = [200, 201]): Promise<KubeResponse> {
    const res = await kube(harness.ready, method, url, body);
    if (!ok.includes(res.status)) throw new Error(`${method} ${url}: HTTP ${res.status}: ${res.body}`);
    return res;
  }

  /** Deletes every policy and binding a run of this file created (by the owner label). */
  async function deleteOwned(): Promise<void> {
    for (const kind of [
      'MutatingAdmissionPolicyBinding',
      'MutatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'ValidatingAdmissionPolicy',
    ])
      await must('DELETE', `${policyCollection(kind)}?labelSelector=${encodeURIComponent(OWNER_LABEL)}`);
  }

  async function waitServed(url: string, what: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if ((await kube(harness.ready, 'GET', url)).status === 200) return;
      await sleep(100);
    }
    throw new Error(`${what} was not served within 30 s`);
  }

  /** Sends the vector's request until two answers in a row are the same (a policy change may land in between). */
  async function ask(input: AdmissionRequestInput, body: Json): Promise<{ res: KubeResponse; attempts: number }> {
    const scoped = CLUSTER_SCOPED.has(input.request.resource.resource);
    const url = requestPath(input.request, scoped);
    const send = async (): Promise<KubeResponse> => {
      const logAt = statSync(harness.ready.apiserverLog).size;
      try {
        return await kube(harness.ready, METHOD[input.request.operation], url, body, input.request.userInfo);
      } catch (e) {
        // A panic in the handler drops the connection; the apiserver's log says what it was.
        const panic = await panicSince(harness.ready.apiserverLog, logAt);
        if (!panic) throw e;
        return { status: 0, body: panic, json: undefined, warnings: [] };
      }
    };
    // The policy plugin's own RESTMapper learns a new CRD's kinds some time after discovery serves them (its
    // answer says so): that answer is not the policy's, so ask again, for up to 30 s.
    const crdNotYetMapped = (r: KubeResponse) =>
      r.status === 503 && /There can be a delay between when CustomResourceDefinitions are created/.test(r.body);
    const settle = async (): Promise<KubeResponse> => {
      let r = await send();
      for (let i = 0; i < 60 && crdNotYetMapped(r); i++) {
        await sleep(500);
        r = await send();
      }
      return r;
    };
    let res = await settle();
    for (let attempts = 2; attempts <= 10; attempts++) {
      const again = await settle();
      const same = (r: KubeResponse) =>
        JSON.stringify([r.status, canonical(withoutMetadata(r.json as Json, UNCOMPARED)), r.warnings]);
      if (same(again) === same(res)) return { res: again, attempts };
      res = again;
      await sleep(200);
    }
    throw new Error(`${input.request.name}: the apiserver's answer did not settle in 10 requests`);
  }

  beforeAll(async () => {
    harness = await useHarness();
    const started = Date.now();
    const ready = harness.ready;
    await deleteOwned();

    // The vector's user may do everything (the vectors' authorizer, where given, allows all), so that the request
    // itself is authorized when sent as that user.
    const users = [...new Set(asked.map((v) => v.request.userInfo?.username).filter((u): u is string => !!u))];
    await kube(ready, 'DELETE', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/porthole-admission-users');
    await must('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'porthole-admission-users' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: users.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name })),
    });

    // CRDs: the vectors' own, and the param kind of the documentation example.
    const crds = [REPLICA_LIMIT_CRD, ...asked.flatMap((v) => (v.customResourceDefinitions ?? []) as Obj[])];
    for (const crd of crds) {
      const res = await kube(ready, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      if (res.status !== 201 && res.status !== 409) throw new Error(`CRD: HTTP ${res.status}: ${res.body}`);
    }
    for (const crd of crds) {
      const spec = crd.spec as { group: string; names: { plural: string }; versions: { name: string }[] };
      for (const version of spec.versions)
        await waitServed(`${groupVersionPath(spec.group, version.name)}/${spec.names.plural}`, spec.names.plural);
    }

    // Params, created once (their names are distinct across vectors); admit() gets them as the apiserver holds them.
    const stored = new Map<string, Json>();
    created.push('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/porthole-admission-users');
    for (const crd of crds)
      created.push(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${(crd.metadata as { name: string }).name}`,
      );
    for (const v of asked)
      for (const p of (v.params ?? []) as Obj[]) {
        const meta = p.metadata as { name: string; namespace?: string };
        const [group, version] = String(p.apiVersion).includes('/')
          ? String(p.apiVersion).split('/')
          : ['', String(p.apiVersion)];
        const plural = `${String(p.kind).toLowerCase()}s`;
        const coll = `${groupVersionPath(group!, version!)}${meta.namespace ? `/namespaces/${meta.namespace}` : ''}/${plural}`;
        await kube(ready, 'DELETE', `${coll}/${meta.name}`);
        created.push(`${coll}/${meta.name}`);
        const res = await must('POST', coll, p, [201]);
        stored.set(`${v.id}/${meta.name}`, res.json as Json);
      }

    const inputs = new Map(asked.map((v) => [v.id, adapt(v)]));
    for (const v of asked) {
      const input = inputs.get(v.id)!;
      input.params = ((v.params ?? []) as Obj[]).map((p) =>
        stored.get(`${v.id}/${(p.metadata as { name: string }).name}`)!,
      );
    }

    // The object as the admission chain sees it (decoded, defaulted, earlier built-in admission plugins applied):
    // the answer to the same dry-run request while no policy of this file exists, without what only storing sets.
    const sent = new Map(asked.map((v) => [v.id, inputs.get(v.id)!.object]));
    // Warnings the request gets without any policy (`v1 Endpoints is deprecated in v1.33+`) are not admission's.
    const baseWarnings = new Map<string, string[]>();
    async function seenObject(v: Vector): Promise<void> {
      const input = inputs.get(v.id)!;
      const url = requestPath(input.request, CLUSTER_SCOPED.has(input.request.resource.resource));
      let res: KubeResponse | undefined;
      for (let i = 0; i < 50; i++) {
        // RBAC for the new ClusterRoleBinding reaches the authorizer's informer a moment later.
        res = await kube(ready, METHOD[input.request.operation], url, sent.get(v.id), input.request.userInfo);
        if (res.status !== 403) break;
        await sleep(100);
      }
      if (res!.status >= 300) throw new Error(`${v.id}: the request without policies fails: ${res!.body}`);
      input.object = withoutMetadata(res!.json as Json, SERVER_SET);
      baseWarnings.set(v.id, res!.warnings);
    }
    const updates = asked.filter((v) => v.request.operation === 'UPDATE');
    const others = asked.filter((v) => v.request.operation !== 'UPDATE');
    for (const v of others) await seenObject(v);

    // UPDATE vectors: their old objects are stored for real (they would clash with the dry-run creates of the
    // other vectors, which use the same names), so these go first and the old objects are deleted after them.
    const stores = new Map<string, string>();
    for (const v of updates) {
      const input = inputs.get(v.id)!;
      const r = input.request;
      const scoped = CLUSTER_SCOPED.has(r.resource.resource);
      const coll = `${groupVersionPath(r.resource.group, r.resource.version)}${r.namespace && !scoped ? `/namespaces/${r.namespace}` : ''}/${r.resource.resource}`;
      const created = await kube(ready, 'POST', coll, input.oldObject);
      if (created.status !== 201 && created.status !== 409)
        throw new Error(`old object of ${v.id}: HTTP ${created.status}: ${created.body}`);
      // A namespace is never finished deleting without its controller: it is kept (and reused by the next run).
      if (r.resource.resource !== 'namespaces') stores.set(v.id, `${coll}/${r.name}`);
      const old = await must('GET', `${coll}/${r.name}`);
      input.oldObject = withoutMetadata(old.json as Json, ['managedFields']);
      await seenObject(v);
    }
    const order = [...updates, ...others];

    // Rounds: the policies and bindings of a few vectors whose policies cannot match each other's requests (at most
    // one vector per requested resource), then probes created after them; once the probes act, those policies are
    // in effect (and the previous round's deletions too); then each request, dry-run, all at once.
    const rounds = inRounds(order);
    for (const [n, vs] of rounds.entries()) {
      const t0 = Date.now();
      const createErrors = new Map<string, string>();
      for (const v of vs)
        for (const p of [...inputs.get(v.id)!.policies, ...(inputs.get(v.id)!.bindings ?? [])]) {
          const res = await kube(ready, 'POST', policyCollection(p.kind), p);
          if (res.status === 201) continue;
          if (res.status === 422 && res.json?.message) {
            if (!createErrors.has(v.id)) createErrors.set(v.id, String(res.json.message));
          } else throw new Error(`${v.id}: creating ${p.kind} ${p.metadata.name}: HTTP ${res.status}: ${res.body}`);
        }
      const probe = `porthole-probe-${run}-${n}`;
      for (const p of probeObjects(probe))
        await must('POST', policyCollection(p.kind), {
          ...p.body,
          metadata: { name: probe, labels: { [OWNER_LABEL]: 'true' } },
        });
      let active = false;
      for (let i = 0; i < 300 && !active; i++) {
        active = await probesActive(ready, probe);
        if (!active) await sleep(100);
      }
      if (!active) throw new Error(`round ${n} (${vs.map((v) => v.id).join(', ')}): the probes never acted (30 s)`);
      await Promise.all(
        vs.map(async (v) => {
          const input = inputs.get(v.id)!;
          const createError = createErrors.get(v.id);
          let apiserver: Answer = { createError: createError ?? '' };
          let attempts = 0;
          if (createError === undefined) {
            const a = await ask(input, sent.get(v.id)!);
            apiserver = fromResponse(input, a.res, baseWarnings.get(v.id) ?? []);
            attempts = a.attempts;
          }
          const ours = admissionOutcome(input, admit(input));
          rows.set(v.id, {
            id: v.id,
            level: v.level ?? 'apiserver',
            round: n,
            input,
            apiserver,
            ours,
            attempts,
            ms: 0,
          });
        }),
      );
      for (const v of vs) rows.get(v.id)!.ms = Date.now() - t0;
      await deleteOwned();
      for (const v of vs) {
        const url = stores.get(v.id);
        if (url) await must('DELETE', url);
      }
    }
    runtimeMs = Date.now() - started;
    console.log(`asked the apiserver ${rows.size} vectors in ${rounds.length} rounds in ${runtimeMs} ms`);
    const out = path.join(here, '..', '..', 'test-results', 'cluster-admission-differential.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify(
        { k8sVersion: ready.k8sVersion, version: VERSION, notExpressible: NOT_EXPRESSIBLE, rows: [...rows.values()] },
        null,
        2,
      ),
    );
  }, HARNESS_START_TIMEOUT_MS);

  const compared = (r: Row): Compared => {
    const a = show(comparable(r.apiserver));
    const o = show(comparable(r.ours));
    return { id: r.id, apiserver: a, ours: o, agrees: a === o };
  };

  afterAll(async () => {
    if (harness) {
      await deleteOwned().catch(() => undefined);
      // What this file added to a cluster other files may share (params first: CRD params go with their CRD).
      for (const url of created.reverse()) await kube(harness.ready, 'DELETE', url).catch(() => undefined);
    }
    if (harness && rows.size) {
      const all = [...rows.values()];
      const detail = ['patcher', 'dispatcher', 'apiserver']
        .map((l) => {
          const of = all.filter((r) => r.level === l);
          return `${l} ${of.filter((r) => compared(r).agrees).length}/${of.length}`;
        })
        .join(', ');
      console.log(
        differenceReport({
          title: `admission differential (kube-apiserver ${harness.ready.k8sVersion} vs src/policy/admission ${VERSION}, ${runtimeMs} ms)`,
          rows: all.map(compared),
          known,
          notExpressible: NOT_EXPRESSIBLE,
          ours: 'ours',
          detail,
        }),
      );
    }
    await harness?.release();
  }, 120_000);

  it('covers every vector: asked, or not expressible with a reason', () => {
    expect(asked.length + Object.keys(NOT_EXPRESSIBLE).length).toBe(VECTORS.length);
    const ids = VECTORS.map((v) => v.id);
    for (const id of [...Object.keys(NOT_EXPRESSIBLE), ...known.keys()]) expect(ids, id).toContain(id);
  });

  for (const v of asked) {
    it(`${v.id}: src/policy/admission answers as the apiserver does, or the difference is listed`, () => {
      const r = rows.get(v.id);
      expect(r, `${v.id} was asked`).toBeDefined();
      expectAgreedOrListed(compared(r!), known, KNOWN_FILE, 'ours');
    });
  }

  it('porthole admission (the command line) prints the answers the apiserver agreed with', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'porthole-admission-'));
    try {
      // One agreed vector of each outcome (final object, rejection, policy refused at create) through the CLI.
      const agreed = [...rows.values()].filter((r) => compared(r).agrees);
      for (const kind of ['object', 'error', 'createError'] as const) {
        const r = agreed.find((a) => kind in a.ours);
        expect(r, `an agreed vector whose answer is ${kind}`).toBeDefined();
        const file = path.join(dir, `${r!.id}.json`);
        writeFileSync(file, JSON.stringify(r!.input));
        const cli = spawnSync('npm', ['run', '--silent', 'porthole', '--', 'admission', '--input', file], {
          cwd: path.join(here, '..', '..'),
          encoding: 'utf8',
        });
        expect(cli.status, `porthole admission exit code on ${r!.id}: ${cli.stderr}`).toBe(kind === 'object' ? 0 : 1);
        const printed = JSON.parse(cli.stdout) as AdmissionOutcome;
        expect(show(comparable(printed)), `porthole admission on ${r!.id}`).toBe(show(comparable(r!.apiserver)));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The object validation cases' messages are what src/policy/admission's validation must say; here the
  // apiserver is held to them too, so each expectation in cases.ts is Kubernetes' own answer.
  for (const c of OBJECT_VALIDATION_CASES) {
    it(`object validation: ${c.name} — the apiserver answers as cases.ts says`, async () => {
      const o = c.object as { apiVersion: string; kind: string };
      const url = o.kind === 'Pod' ? '/api/v1/namespaces/default/pods' : '/apis/apps/v1/namespaces/default/deployments';
      const res = await kube(harness!.ready, 'POST', `${url}?dryRun=All`, c.object);
      if (c.message === null) expect(res.status, res.body).toBe(201);
      else {
        expect(res.status, res.body).toBe(422);
        expect(res.json?.message).toBe(c.message);
      }
    });
  }
});
