// Which apiVersions of the admission policy kinds each Kubernetes version serves (kubernetes
// pkg/registry/admissionregistration/rest/storage_apiserver.go at v1.30.14 … v1.34.10). Alpha and beta versions
// are off unless --runtime-config turns them on; MutatingAdmissionPolicy also needs its feature gate.

import type { KubeVersion } from '../state.ts';

export type AdmissionKind =
  | 'MutatingAdmissionPolicy'
  | 'MutatingAdmissionPolicyBinding'
  | 'ValidatingAdmissionPolicy'
  | 'ValidatingAdmissionPolicyBinding';

const GROUP = 'admissionregistration.k8s.io';

/** The served versions of each kind, by minor version. */
function servedVersions(kind: AdmissionKind, minor: number): string[] {
  if (kind.startsWith('Validating')) return minor <= 32 ? ['v1', 'v1beta1', 'v1alpha1'] : ['v1', 'v1beta1'];
  if (minor < 32) return [];
  return minor >= 34 ? ['v1beta1', 'v1alpha1'] : ['v1alpha1'];
}

/** Why a kube-apiserver of this version would refuse the apiVersion, or undefined when it serves it. */
export function notServed(kind: AdmissionKind, apiVersion: unknown, version: KubeVersion): string | undefined {
  const minor = Number(version.split('.')[1]);
  const served = servedVersions(kind, minor);
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
