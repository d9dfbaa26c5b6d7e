// Generates src/k8s/openapi/data/<minor>.json from the OpenAPI v3 documents that ship in the
// k8s.io/kubernetes Go module (api/openapi-spec/v3), one file per Kubernetes minor.
// Run: node --import tsx scripts/gen-openapi.ts
// The module is found with `go mod download -json` (the module cache or the Go proxy).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The patch release read for each minor. Bump here and re-run to refresh. */
export const PINNED: Record<string, string> = {
  '1.30': 'v1.30.14',
  '1.31': 'v1.31.14',
  '1.32': 'v1.32.13',
  '1.33': 'v1.33.13',
  '1.34': 'v1.34.10',
};

const OUT = join(import.meta.dirname, '..', 'src', 'k8s', 'openapi', 'data');
const REF_PREFIX = '#/components/schemas/';

/** Keys kept verbatim: what merging, CEL typing and editor validation need. */
const KEPT = [
  'type',
  'format',
  'required',
  'enum',
  'default',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refName(ref: string): string {
  if (!ref.startsWith(REF_PREFIX)) throw new Error(`unexpected $ref ${ref}`);
  return ref.slice(REF_PREFIX.length);
}

/** The first sentence of a description, for editor hovers; the rest is dropped for size. */
function summary(description: string): string {
  const first = description.split(/\n|(?<=\.)\s/, 1)[0] ?? '';
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

/** The compact form of one schema node: refs stay refs (named definitions), descriptions shrink to a line. */
function compact(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  const description = node['description'];
  if (typeof description === 'string' && description !== '') out['description'] = summary(description);
  const ref = node['$ref'];
  if (typeof ref === 'string') out['$ref'] = refName(ref);
  // kube-openapi wraps a $ref in allOf only to keep a description beside it.
  const allOf = node['allOf'];
  if (Array.isArray(allOf)) {
    if (allOf.length !== 1 || !isObject(allOf[0]) || typeof allOf[0]['$ref'] !== 'string') {
      throw new Error(`allOf other than a wrapped $ref: ${JSON.stringify(allOf)}`);
    }
    out['$ref'] = refName(allOf[0]['$ref']);
  }
  for (const key of KEPT) {
    const v = node[key];
    if (v !== undefined) out[key] = v;
  }
  const oneOf = node['oneOf'];
  if (Array.isArray(oneOf)) out['oneOf'] = oneOf.map((s) => (isObject(s) ? compact(s) : s));
  const properties = node['properties'];
  if (isObject(properties)) {
    const props: JsonObject = {};
    for (const [name, p] of Object.entries(properties)) if (isObject(p)) props[name] = compact(p);
    out['properties'] = props;
  }
  const items = node['items'];
  if (isObject(items)) out['items'] = compact(items);
  const additional = node['additionalProperties'];
  if (isObject(additional)) out['additionalProperties'] = compact(additional);
  else if (typeof additional === 'boolean') out['additionalProperties'] = additional;
  return out;
}

/**
 * The top-level resources a document's paths serve (`/apis/apps/v1/namespaces/{namespace}/deployments`), as
 * `group/version/resource` → kind (the operations' x-kubernetes-group-version-kind): what discovery lists and a
 * RESTMapper maps. Subresources and watch paths are left out.
 */
function servedResources(doc: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  const paths = doc['paths'];
  if (!isObject(paths)) return out;
  for (const [path, item] of Object.entries(paths)) {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.*)$/.exec(path);
    if (!m || !isObject(item)) continue;
    const [group, version] = m[1] ? ['', m[1]] : [m[2]!, m[3]!];
    let rest = m[4]!.split('/');
    if (rest[0] === 'watch') continue;
    if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length > 2) rest = rest.slice(2);
    const [resource, name, ...sub] = rest;
    if (!resource || resource.startsWith('{') || sub.length > 0 || (name !== undefined && name !== '{name}')) continue;
    for (const op of Object.values(item)) {
      const gvk = isObject(op) ? op['x-kubernetes-group-version-kind'] : undefined;
      if (isObject(gvk) && typeof gvk['kind'] === 'string') out[`${group}/${version}/${resource}`] ??= gvk['kind'];
    }
  }
  return out;
}

function moduleDir(version: string): string {
  const json = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], {
    encoding: 'utf8',
  });
  const dir = (JSON.parse(json) as { Dir?: string; Error?: string }).Dir;
  if (!dir) throw new Error(`go mod download gave no Dir for ${version}: ${json}`);
  return dir;
}

function generate(minor: string, version: string): string {
  const specDir = join(moduleDir(version), 'api', 'openapi-spec', 'v3');
  const definitions: JsonObject = {};
  const kinds: Record<string, string> = {};
  const resources: Record<string, string> = {};
  for (const file of readdirSync(specDir).sort()) {
    if (!file.endsWith('.json')) continue;
    const doc = JSON.parse(readFileSync(join(specDir, file), 'utf8')) as JsonObject;
    Object.assign(resources, servedResources(doc));
    const components = doc['components'];
    const schemas = isObject(components) ? components['schemas'] : undefined;
    if (!isObject(schemas)) continue;
    for (const [name, schema] of Object.entries(schemas)) {
      if (!isObject(schema) || name in definitions) continue;
      definitions[name] = compact(schema);
      const gvks = schema['x-kubernetes-group-version-kind'];
      if (!Array.isArray(gvks)) continue;
      for (const gvk of gvks) {
        if (!isObject(gvk)) continue;
        const key = `${String(gvk['group'])}/${String(gvk['version'])}/${String(gvk['kind'])}`;
        // DeleteOptions and WatchEvent are registered in every group: the first owner wins.
        kinds[key] ??= name;
      }
    }
  }
  const sorted = (o: Record<string, Json>): JsonObject =>
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k] as Json]),
    );
  const data = {
    kubernetes: minor,
    source: `k8s.io/kubernetes@${version} api/openapi-spec/v3`,
    kinds: sorted(kinds),
    resources: sorted(resources),
    definitions: sorted(definitions),
  };
  return JSON.stringify(data) + '\n';
}

mkdirSync(OUT, { recursive: true });
for (const [minor, version] of Object.entries(PINNED)) {
  const text = generate(minor, version);
  writeFileSync(join(OUT, `${minor}.json`), text);
  const raw = Buffer.byteLength(text);
  const gz = gzipSync(text).length;
  console.log(`${minor} (${version}): ${(raw / 1024).toFixed(0)} KB raw, ${(gz / 1024).toFixed(0)} KB gzip`);
}
