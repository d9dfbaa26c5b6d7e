// The apiserver's EquivalentResourceMapper for matchPolicy: Equivalent (k8s.io/apimachinery runtime/mapper.go,
// filled by the API installer for every served resource). Resources sharing a storage prefix are equivalent:
// the served versions of one group/resource, and groups whose storage cohabits (core `events` with
// events.k8s.io). Only resources served by default count; extensions/v1beta1 deployments and the like are no
// longer served in 1.30+, so they are not equivalent to anything. CustomResourceDefinitions given in the input
// add every served version of the custom resource.

import type { Json } from './jsonpatch.ts';
import type { GroupVersionResource } from './types.ts';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface EquivalentResource {
  resource: GroupVersionResource;
  kind: GroupVersionKind;
  /** How the object reaches this version: `None` (a CRD without a conversion webhook: only apiVersion changes). */
  conversion: 'None' | 'Webhook' | 'Builtin';
}

interface ServedEntry {
  /** Storage identity: entries with the same key are equivalent. */
  key: string;
  resource: GroupVersionResource;
  kind: string;
  subresources: Record<string, string>;
  conversion: EquivalentResource['conversion'];
  /** Minor versions in which this entry is served by default. */
  minors?: [number, number];
}

const gvr = (group: string, version: string, resource: string): GroupVersionResource => ({ group, version, resource });

/**
 * The built-in resources served in more than one group/version by default in 1.30–1.34
 * (kubernetes pkg/controlplane/instance.go DefaultAPIResourceConfigSource, and the cohabiting resources of
 * pkg/kubeapiserver/default_storage_factory_builder.go). Every other built-in resource has exactly one
 * served version, so it is only equivalent to itself.
 */
const BUILTIN: readonly ServedEntry[] = [
  {
    key: 'events',
    resource: gvr('', 'v1', 'events'),
    kind: 'Event',
    subresources: {},
    conversion: 'Builtin',
  },
  {
    key: 'events',
    resource: gvr('events.k8s.io', 'v1', 'events'),
    kind: 'Event',
    subresources: {},
    conversion: 'Builtin',
  },
  {
    key: 'horizontalpodautoscalers.autoscaling',
    resource: gvr('autoscaling', 'v1', 'horizontalpodautoscalers'),
    kind: 'HorizontalPodAutoscaler',
    subresources: { status: 'HorizontalPodAutoscaler' },
    conversion: 'Builtin',
  },
  {
    key: 'horizontalpodautoscalers.autoscaling',
    resource: gvr('autoscaling', 'v2', 'horizontalpodautoscalers'),
    kind: 'HorizontalPodAutoscaler',
    subresources: { status: 'HorizontalPodAutoscaler' },
    conversion: 'Builtin',
  },
  ...(['flowschemas', 'prioritylevelconfigurations'] as const).flatMap((resource): ServedEntry[] => {
    const kind = resource === 'flowschemas' ? 'FlowSchema' : 'PriorityLevelConfiguration';
    const key = `${resource}.flowcontrol.apiserver.k8s.io`;
    return [
      {
        key,
        resource: gvr('flowcontrol.apiserver.k8s.io', 'v1', resource),
        kind,
        subresources: { status: kind },
        conversion: 'Builtin',
      },
      {
        // legacyBetaEnabledByDefaultResources until 1.32 removed them.
        key,
        resource: gvr('flowcontrol.apiserver.k8s.io', 'v1beta3', resource),
        kind,
        subresources: { status: kind },
        conversion: 'Builtin',
        minors: [30, 31],
      },
    ];
  }),
];

const isObj = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: Json | undefined): string => (typeof v === 'string' ? v : '');

/** The served entries a CustomResourceDefinition (apiextensions.k8s.io/v1) registers, in spec.versions order. */
function crdEntries(crd: Json): ServedEntry[] {
  if (!isObj(crd) || !isObj(crd.spec)) return [];
  const spec = crd.spec;
  const names = isObj(spec.names) ? spec.names : {};
  const group = str(spec.group);
  const plural = str(names.plural);
  const kind = str(names.kind);
  if (!group || !plural || !kind) return [];
  const webhook = isObj(spec.conversion) && spec.conversion.strategy === 'Webhook';
  return (Array.isArray(spec.versions) ? spec.versions : []).filter(isObj).flatMap((v): ServedEntry[] => {
    if (v.served === false || !str(v.name)) return [];
    const sub = isObj(v.subresources) ? v.subresources : {};
    const subresources: Record<string, string> = {};
    if ('status' in sub) subresources.status = kind;
    if ('scale' in sub) subresources.scale = 'Scale';
    return [
      {
        key: `${plural}.${group}`,
        resource: gvr(group, str(v.name), plural),
        kind,
        subresources,
        conversion: webhook ? 'Webhook' : 'None',
      },
    ];
  });
}

const sameGvr = (a: GroupVersionResource, b: GroupVersionResource) =>
  a.group === b.group && a.version === b.version && a.resource === b.resource;

/**
 * EquivalentResourcesFor(resource, subresource): every served resource with the same storage as `resource`
 * (itself included), with the kind KindFor gives it. Empty when the resource is unknown here.
 */
export function equivalentResources(
  resource: GroupVersionResource,
  subresource: string,
  version: string,
  customResourceDefinitions: readonly Json[] = [],
): EquivalentResource[] {
  const minor = Number(version.split('.')[1] ?? '34');
  const entries = [...BUILTIN, ...customResourceDefinitions.flatMap(crdEntries)].filter(
    (e) => !e.minors || (minor >= e.minors[0] && minor <= e.minors[1]),
  );
  const own = entries.find((e) => sameGvr(e.resource, resource));
  if (!own) return [];
  return entries
    .filter((e) => e.key === own.key && (subresource === '' || subresource in e.subresources))
    .map((e) => ({
      resource: e.resource,
      kind: {
        group: subresource === 'scale' ? 'autoscaling' : e.resource.group,
        version: subresource === 'scale' ? 'v1' : e.resource.version,
        kind: subresource === '' ? e.kind : e.subresources[subresource]!,
      },
      conversion: e.conversion,
    }));
}

/**
 * The object as the policy sees it at `kind`'s version. A CRD without a conversion webhook only changes
 * apiVersion (conversion strategy None); other conversions are not modelled and say so.
 */
export function convertObject(
  object: Json,
  to: GroupVersionKind,
  conversion: EquivalentResource['conversion'],
): { object: Json } | { error: string } {
  if (!isObj(object)) return { object };
  const apiVersion = to.group ? `${to.group}/${to.version}` : to.version;
  if (object.apiVersion === apiVersion) return { object };
  if (conversion !== 'None')
    return {
      error: `converting ${str(object.apiVersion)} ${str(object.kind)} to ${apiVersion} is not modelled by Porthole (${conversion === 'Webhook' ? 'a conversion webhook' : 'a built-in conversion'})`,
    };
  return { object: { ...object, apiVersion } };
}
