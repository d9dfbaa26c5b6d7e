// Which apiVersions of the admission policy kinds each Kubernetes version serves: those in its OpenAPI document
// (src/k8s/openapi data, generated from k8s.io/kubernetes' api/openapi-spec). An API is no longer served from the
// release that removes it (VAP v1alpha1 from 1.32, v1beta1 from 1.34), although its storage code lingers.
// Alpha and beta versions are off unless --runtime-config turns them on; MutatingAdmissionPolicy also needs its
// feature gate.

import { loadedOpenApi } from '../../k8s/openapi/index.ts';
import type { KubeVersion } from '../state.ts';

export type AdmissionKind =
  | 'MutatingAdmissionPolicy'
  | 'MutatingAdmissionPolicyBinding'
  | 'ValidatingAdmissionPolicy'
  | 'ValidatingAdmissionPolicyBinding';

const GROUP = 'admissionregistration.k8s.io';

/** The served versions of a kind, newest first; the version's OpenAPI data must be loaded. */
function servedVersions(kind: AdmissionKind, version: KubeVersion): string[] {
  const api = loadedOpenApi(version);
  if (!api) throw new Error(`the OpenAPI schemas of Kubernetes ${version} are not loaded yet (await loadOpenApi)`);
  const prefix = `${GROUP}/`;
  return api
    .kinds()
    .filter((k) => k.startsWith(prefix) && k.endsWith(`/${kind}`))
    .map((k) => k.slice(prefix.length, -kind.length - 1))
    .sort((a, b) => rank(a) - rank(b));
}

const rank = (v: string) => (v === 'v1' ? 0 : v.startsWith('v1beta') ? 1 : 2);

/** Why a kube-apiserver of this version would refuse the apiVersion, or undefined when it serves it. */
export function notServed(kind: AdmissionKind, apiVersion: unknown, version: KubeVersion): string | undefined {
  const served = servedVersions(kind, version);
  const given = typeof apiVersion === 'string' ? apiVersion : '';
  const [group, v] = given.includes('/') ? given.split('/', 2) : ['', given];
  if (group === GROUP && served.includes(v!)) return undefined;
  const noMatch = `no matches for kind "${kind}" in version "${given}"`;
  if (served.length === 0)
    return `${noMatch}: Kubernetes ${version} does not serve ${kind} (alpha from 1.32 as ${GROUP}/v1alpha1, beta in 1.34 as v1beta1)`;
  return `${noMatch}: Kubernetes ${version} serves ${served.map((s) => `${GROUP}/${s}`).join(', ')}`;
}

/** What a cluster must turn on for the kind at this apiVersion; undefined when it is on by default. */
export function enablement(kind: AdmissionKind, apiVersion: string): string | undefined {
  const v = apiVersion.split('/')[1] ?? '';
  if (v === 'v1') return undefined;
  const gate = kind.startsWith('Mutating') ? ' --feature-gates=MutatingAdmissionPolicy=true and' : '';
  return `needs${gate} --runtime-config=${GROUP}/${v}=true on kube-apiserver`;
}
