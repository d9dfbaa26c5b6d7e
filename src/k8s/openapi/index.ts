import { authenticationConfigurationData } from './authentication-configuration.ts';
import type { GroupVersionKind, OpenApiData, Schema } from './types.ts';
import { OPENAPI_VERSIONS, type KubernetesVersion } from './versions.ts';

export type { GroupVersionKind, OpenApiData, Schema } from './types.ts';
export { OPENAPI_VERSIONS, type KubernetesVersion } from './versions.ts';

/** One Kubernetes minor's schemas: the generated built-in kinds plus AuthenticationConfiguration. */
export interface OpenApi {
  readonly kubernetes: KubernetesVersion;
  readonly source: string;
  /** `group/version/kind` keys (core group: `/v1/Pod`). */
  kinds(): string[];
  /** The top-level resources served (from the documents' paths), each with its kind. */
  resources(): ServedResource[];
  /** The definition of a kind, or undefined when this version does not serve it. */
  schemaFor(gvk: GroupVersionKind): Schema | undefined;
  /** The name of a kind's definition (`io.k8s.api.apps.v1.Deployment`), or undefined when not served. */
  definitionNameFor(gvk: GroupVersionKind): string | undefined;
  /** A named definition (`io.k8s.api.core.v1.Container`). */
  definition(name: string): Schema | undefined;
  /**
   * Follows `$ref` to the definition. The referring node's own keys (description, default) win, as
   * in OpenAPI v3 where a `$ref` wrapped in `allOf` keeps its description.
   */
  resolveRef(schema: Schema): Schema;
}

/** A top-level resource and the kind it serves (`apps/v1` `deployments` → `Deployment`). */
export interface ServedResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
}

export function gvkKey({ group, version, kind }: GroupVersionKind): string {
  return `${group}/${version}/${kind}`;
}

/** Builds an OpenApi over generated data (also usable with data read synchronously in Node). */
export function openApiFrom(data: OpenApiData): OpenApi {
  const version = data.kubernetes as KubernetesVersion;
  if (!OPENAPI_VERSIONS.includes(version)) throw new Error(`no OpenAPI data for Kubernetes ${data.kubernetes}`);
  const authn = authenticationConfigurationData(version);
  const kinds: Record<string, string> = { ...data.kinds, ...authn.kinds };
  const definitions: Record<string, Schema> = { ...data.definitions, ...authn.definitions };
  const definition = (name: string): Schema | undefined =>
    Object.hasOwn(definitions, name) ? definitions[name] : undefined;
  const definitionNameFor = (gvk: GroupVersionKind): string | undefined => {
    const key = gvkKey(gvk);
    return Object.hasOwn(kinds, key) ? kinds[key] : undefined;
  };
  return {
    kubernetes: version,
    source: data.source,
    kinds: () => Object.keys(kinds),
    resources: () =>
      Object.entries(data.resources ?? {}).map(([key, kind]) => {
        const [group = '', version = '', resource = ''] = key.split('/');
        return { group, version, resource, kind };
      }),
    definition,
    definitionNameFor,
    schemaFor(gvk) {
      const name = definitionNameFor(gvk);
      return name === undefined ? undefined : definition(name);
    },
    resolveRef(schema) {
      let current = schema;
      // Definitions never chain more than once; the bound only guards against a malformed file.
      for (let depth = 0; current.$ref !== undefined && depth < 8; depth++) {
        const target = definition(current.$ref);
        if (target === undefined) throw new Error(`unresolved $ref ${current.$ref}`);
        const { $ref: _ref, ...own } = current;
        current = { ...target, ...own };
      }
      return current;
    },
  };
}

// One dynamic import per version, so a bundler splits each into its own lazily loaded chunk.
const LOADERS: Record<KubernetesVersion, () => Promise<{ default: unknown }>> = {
  '1.30': () => import('./data/1.30.json'),
  '1.31': () => import('./data/1.31.json'),
  '1.32': () => import('./data/1.32.json'),
  '1.33': () => import('./data/1.33.json'),
  '1.34': () => import('./data/1.34.json'),
};

const loaded = new Map<KubernetesVersion, OpenApi>();
const loading = new Map<KubernetesVersion, Promise<OpenApi>>();

/** Loads (once) the schemas of one Kubernetes minor. */
export function loadOpenApi(version: KubernetesVersion): Promise<OpenApi> {
  const done = loaded.get(version);
  if (done) return Promise.resolve(done);
  let pending = loading.get(version);
  if (!pending) {
    const loader = LOADERS[version];
    if (!loader) return Promise.reject(new Error(`no OpenAPI data for Kubernetes ${String(version)}`));
    pending = loader().then((module) => {
      // The JSON is written by scripts/gen-openapi.ts in the OpenApiData shape.
      const api = openApiFrom(module.default as OpenApiData);
      loaded.set(version, api);
      return api;
    });
    loading.set(version, pending);
  }
  return pending;
}

/** The schemas of a version already loaded with loadOpenApi (or registered), if any. */
export function loadedOpenApi(version: KubernetesVersion): OpenApi | undefined {
  return loaded.get(version);
}

/** Makes data obtained some other way (a synchronous read in Node) the loaded data of its version. */
export function registerOpenApi(data: OpenApiData): OpenApi {
  const api = openApiFrom(data);
  loaded.set(api.kubernetes, api);
  return api;
}

/** The schema of a kind in a loaded version; throws when the version has not been loaded yet. */
export function schemaFor(version: KubernetesVersion, gvk: GroupVersionKind): Schema | undefined {
  const api = loaded.get(version);
  if (!api) throw new Error(`OpenAPI data for Kubernetes ${version} is not loaded (await loadOpenApi first)`);
  return api.schemaFor(gvk);
}

/** resolveRef against a loaded version. */
export function resolveRef(version: KubernetesVersion, schema: Schema): Schema {
  const api = loaded.get(version);
  if (!api) throw new Error(`OpenAPI data for Kubernetes ${version} is not loaded (await loadOpenApi first)`);
  return api.resolveRef(schema);
}
