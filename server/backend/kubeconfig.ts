// Reads a kubeconfig the way client-go's clientcmd does (the parts Porthole supports) and turns each context
// into a Porthole cluster. What the file cannot express for us (exec plugins, auth-provider, basic auth,
// impersonation, proxies) becomes a per-cluster error that `/porthole/api/clusters` shows; a file that is not a
// kubeconfig at all is a startup error.

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { erroredCluster, trimServer, type Cluster, type UpstreamTarget, type UpstreamTLS } from './clusters.ts';

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(obj: Obj, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export class KubeconfigError extends Error {
  constructor(file: string, message: string) {
    super(`kubeconfig ${file}: ${message}`);
    this.name = 'KubeconfigError';
  }
}

interface Named {
  name: string;
  body: Obj;
}

function namedList(doc: Obj, key: string, inner: string, file: string): Map<string, Obj> {
  const list = doc[key];
  const out = new Map<string, Obj>();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new KubeconfigError(file, `"${key}" must be a list`);
  list.forEach((item: unknown, i) => {
    if (!isObj(item) || typeof item.name !== 'string' || item.name === '') {
      throw new KubeconfigError(file, `${key}[${i}] has no name`);
    }
    const body = item[inner];
    if (body !== undefined && body !== null && !isObj(body)) {
      throw new KubeconfigError(file, `${key}[${i}] ("${item.name}").${inner} must be a mapping`);
    }
    const named: Named = { name: item.name, body: isObj(body) ? body : {} };
    // clientcmd keeps the first entry of a duplicated name.
    if (!out.has(named.name)) out.set(named.name, named.body);
  });
  return out;
}

/** Base64 `*-data` fields hold PEM; relative file paths are relative to the kubeconfig, as in clientcmd. */
async function material(
  body: Obj,
  dataKey: string,
  fileKey: string,
  baseDir: string,
  what: string,
  label = fileKey,
): Promise<string | undefined> {
  const data = str(body, dataKey);
  if (data) {
    const pem = Buffer.from(data, 'base64').toString('utf8');
    if (!pem.includes('-----BEGIN')) throw new Error(`${dataKey} for ${what} is not base64 of PEM data`);
    return pem;
  }
  const file = str(body, fileKey);
  if (!file) return undefined;
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`unable to read ${label} ${path} for ${what} due to ${(error as Error).message}`);
  }
}

async function readTokenFile(path: string): Promise<string> {
  // client-go's cached file token source trims surrounding whitespace.
  return (await readFile(path, 'utf8')).trim();
}

const UNSUPPORTED_USER_FIELDS: Array<[string, string]> = [
  ['exec', 'exec credential plugins are not supported by Porthole yet; use token, tokenFile or a client certificate'],
  [
    'auth-provider',
    'auth-provider plugins are not supported by Porthole; use token, tokenFile or a client certificate',
  ],
  ['username', 'basic authentication (username/password) is not supported by Porthole'],
  ['password', 'basic authentication (username/password) is not supported by Porthole'],
  ['as', 'impersonation (as) is not supported by Porthole'],
  ['as-uid', 'impersonation (as-uid) is not supported by Porthole'],
  ['as-groups', 'impersonation (as-groups) is not supported by Porthole'],
  ['as-user-extra', 'impersonation (as-user-extra) is not supported by Porthole'],
];

async function clusterForContext(
  contextName: string,
  context: Obj,
  clusters: Map<string, Obj>,
  users: Map<string, Obj>,
  baseDir: string,
  warn: (line: string) => void,
): Promise<Cluster> {
  const namespace = str(context, 'namespace');
  const clusterName = str(context, 'cluster');
  const cluster = clusterName ? clusters.get(clusterName) : undefined;
  if (!clusterName || !cluster) {
    // clientcmd's wording.
    const why = clusterName
      ? `cluster "${clusterName}" was not found for context "${contextName}"`
      : `context "${contextName}" names no cluster`;
    return erroredCluster(contextName, '', why, namespace);
  }
  const server = str(cluster, 'server') ?? '';
  const fail = (message: string) =>
    erroredCluster(contextName, server, `context "${contextName}": ${message}`, namespace);
  if (!server) return fail(`no server found for cluster "${clusterName}"`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return fail(`cluster "${clusterName}" has a malformed server URL "${server}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return fail(`cluster "${clusterName}" server must be https:// or http://, not "${url.protocol}"`);
  }
  if (str(cluster, 'proxy-url'))
    return fail(`cluster "${clusterName}" uses proxy-url, which Porthole does not support`);

  const userName = str(context, 'user');
  const user = userName ? users.get(userName) : {};
  if (userName && !user) {
    return erroredCluster(
      contextName,
      server,
      `user "${userName}" was not found for context "${contextName}"`,
      namespace,
    );
  }
  const userBody = user ?? {};
  for (const [field, message] of UNSUPPORTED_USER_FIELDS) {
    if (userBody[field] !== undefined && userBody[field] !== null && userBody[field] !== '') {
      return fail(`user "${userName}": ${message}`);
    }
  }

  const insecure = cluster['insecure-skip-tls-verify'] === true;
  const tls: UpstreamTLS = { rejectUnauthorized: !insecure };
  try {
    const ca = await material(cluster, 'certificate-authority-data', 'certificate-authority', baseDir, clusterName);
    if (ca && insecure) {
      // client-go's transport refuses this combination with exactly this complaint.
      return fail('specifying a root certificates file with the insecure flag is not allowed');
    }
    if (ca) tls.ca = ca;
    const servername = str(cluster, 'tls-server-name');
    if (servername) tls.servername = servername;
    const cert = await material(
      userBody,
      'client-certificate-data',
      'client-certificate',
      baseDir,
      `${userName}`,
      'client-cert',
    );
    const key = await material(userBody, 'client-key-data', 'client-key', baseDir, `${userName}`, 'client-key');
    if (cert && !key)
      return fail(
        `client-key-data or client-key must be specified for ${userName} to use the clientCert authentication method`,
      );
    if (key && !cert)
      return fail(
        `client-cert-data or client-cert must be specified for ${userName} to use the clientCert authentication method`,
      );
    if (cert && key) {
      tls.cert = cert;
      tls.key = key;
    }
  } catch (error) {
    return fail((error as Error).message);
  }

  const token = str(userBody, 'token');
  const tokenFileRaw = str(userBody, 'tokenFile');
  const tokenFile = tokenFileRaw && (isAbsolute(tokenFileRaw) ? tokenFileRaw : resolve(baseDir, tokenFileRaw));
  if (tokenFile && !token) {
    // Like clientcmd: a tokenFile without an inline token must be readable at start.
    try {
      await readTokenFile(tokenFile);
    } catch (error) {
      return fail(`unable to read tokenFile ${tokenFile}: ${(error as Error).message}`);
    }
  }
  // client-go attaches credentials only for https:// clusters (exec-protocol.md §0.2); so do we.
  const plainHttp = url.protocol === 'http:';
  if (plainHttp && (token || tokenFile || tls.cert)) {
    warn(`context "${contextName}": server ${server} is plain http, so its credential is not sent (as kubectl does)`);
  }
  const base = trimServer(server);

  return {
    name: contextName,
    server,
    local: false,
    ...(namespace ? { namespace } : {}),
    async upstream(): Promise<UpstreamTarget> {
      const headers: Record<string, string> = {};
      if (!plainHttp) {
        // client-go: a readable tokenFile wins over the inline token, re-read so rotated tokens are picked up.
        let bearer = token;
        if (tokenFile) {
          try {
            bearer = await readTokenFile(tokenFile);
          } catch (error) {
            if (!token) throw new Error(`unable to read tokenFile ${tokenFile}: ${(error as Error).message}`);
          }
        }
        if (bearer) headers.Authorization = `Bearer ${bearer}`;
      }
      const t: UpstreamTLS = plainHttp ? { rejectUnauthorized: tls.rejectUnauthorized } : tls;
      return { server: base, tls: t, headers };
    },
  };
}

/** Parses kubeconfig text; `baseDir` resolves relative file references. One cluster per context, in file order. */
export async function clustersFromKubeconfig(
  text: string,
  file: string,
  baseDir: string,
  warn: (line: string) => void = () => {},
): Promise<Cluster[]> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new KubeconfigError(file, `not valid YAML: ${(error as Error).message}`);
  }
  if (!isObj(doc))
    throw new KubeconfigError(file, 'is not a kubeconfig (expected a mapping with clusters, users, contexts)');
  if (doc.kind !== undefined && doc.kind !== 'Config') {
    throw new KubeconfigError(file, `has kind "${String(doc.kind)}", expected "Config"`);
  }
  const clusters = namedList(doc, 'clusters', 'cluster', file);
  const users = namedList(doc, 'users', 'user', file);
  const contexts = namedList(doc, 'contexts', 'context', file);
  if (contexts.size === 0) throw new KubeconfigError(file, 'has no contexts; Porthole shows one cluster per context');
  const out: Cluster[] = [];
  for (const [name, context] of contexts) {
    out.push(await clusterForContext(name, context, clusters, users, baseDir, warn));
  }
  return out;
}

export async function loadKubeconfig(file: string, warn?: (line: string) => void): Promise<Cluster[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new KubeconfigError(file, `cannot be read: ${(error as Error).message}`);
  }
  return clustersFromKubeconfig(text, file, dirname(resolve(file)), warn);
}
