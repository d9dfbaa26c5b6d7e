// How the authentication differential talks to the real kube-apiserver: it rewrites the harness's
// --authentication-config file (the apiserver hot-reloads it), waits for the reload's outcome (the applied config's
// hash in the metric `apiserver_authentication_config_controller_last_config_info`, or the error the reload
// logged), signs tokens with the harness issuer's key (`POST /sign`) and asks a TokenReview.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { apiRequest } from './api-request.ts';
import type { Harness, HarnessReady } from './harness.ts';

/** The apiserver's own --service-account-issuer (internal/apiserver): the issuers its validation disallows. */
export const SERVICE_ACCOUNT_ISSUERS = ['https://kubernetes.default.svc.cluster.local'];

export function authnConfigFile(harness: Harness): string {
  return path.join(harness.stateDir, 'authentication-config.yaml');
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * The configuration made reachable: every issuer that names neither a discoveryURL nor a certificateAuthority gets
 * both — discovery from the harness issuer under the vector's own issuer name (so `url` and the tokens' `iss` stay
 * as the vector wrote them), keys from the harness issuer, trusted by its CA. Issuers that set either field are left
 * alone (their vectors are about those fields).
 */
export function reachable(config: unknown, ready: HarnessReady): unknown {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return config;
  const doc = config as { jwt?: unknown };
  if (!Array.isArray(doc.jwt)) return config;
  const ca = readFileSync(ready.issuerCAFile, 'utf8');
  const jwt = doc.jwt.map((a: unknown, i) => {
    if (!a || typeof a !== 'object') return a;
    const issuer = (a as { issuer?: Record<string, unknown> }).issuer;
    if (!issuer || typeof issuer.url !== 'string') return a;
    if ('discoveryURL' in issuer || 'certificateAuthority' in issuer) return a;
    const discoveryURL = `${ready.issuerURL}/as/${b64url(issuer.url)}/${i}/.well-known/openid-configuration`;
    return { ...a, issuer: { ...issuer, discoveryURL, certificateAuthority: ca } };
  });
  return { ...doc, jwt };
}

function post(url: string, ca: Buffer, body: unknown): Promise<string> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        ca,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${url}: ${text}`))));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A compact JWT of exactly `payload` (its JSON text) under `header` (merged over {alg: RS256, typ, kid}). */
export async function signToken(
  ready: HarnessReady,
  payload: string,
  header: Record<string, unknown>,
): Promise<string> {
  const text = await post(`${ready.issuerURL}/sign`, readFileSync(ready.issuerCAFile), { header, payload });
  return (JSON.parse(text) as { token: string }).token;
}

/** The harness issuer's JWKS, as the apiserver fetches it. */
export function issuerJWKS(ready: HarnessReady): Promise<unknown> {
  return new Promise((resolve, reject) => {
    https
      .get(`${ready.issuerURL}/keys`, { ca: readFileSync(ready.issuerCAFile) }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve(JSON.parse(text)));
      })
      .on('error', reject);
  });
}

/** What a TokenReview says: the user (as the request chain builds it) or authenticated=false with status.error. */
export interface Review {
  authenticated: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
}

export async function tokenReview(ready: HarnessReady, token: string): Promise<Review> {
  const res = await apiRequest(ready, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenReview',
    spec: { token },
  });
  if (res.status !== 201) throw new Error(`TokenReview: HTTP ${res.status}: ${res.body}`);
  return (JSON.parse(res.body) as { status: Review }).status;
}

/** How a reload of the authentication config file ended. */
export type ReloadOutcome =
  | { applied: true }
  /** Validation passed but the new authenticators did not initialise in time (unreachable issuers). */
  | { applied: false; validated: true; error: string }
  | { applied: false; validated: false; stage: 'load' | 'validate'; error: string };

const RELOAD_MESSAGES: Record<string, 'load' | 'validate' | 'update'> = {
  'failed to load authentication config': 'load',
  'failed to validate authentication config': 'validate',
  'failed to update authentication config': 'update',
};

/**
 * The `err` value of klog's text format on one log line: `err="…"` (Go-quoted) or, for a value with newlines,
 * `err=<\n\t…lines…\n >`.
 */
export function klogErrValue(entry: string): string | undefined {
  const quoted = /\berr="((?:[^"\\]|\\.)*)"/.exec(entry);
  if (quoted) return JSON.parse(`"${quoted[1]!.replace(/\\x([0-9a-f]{2})/g, '\\u00$1')}"`) as string;
  const block = /\berr=<\n((?:\t.*\n)*) >/.exec(entry);
  if (block)
    return block[1]!
      .split('\n')
      .slice(0, -1)
      .map((l) => l.slice(1))
      .join('\n');
  return undefined;
}

async function lastConfigHashes(ready: HarnessReady): Promise<string[]> {
  const res = await apiRequest(ready, 'GET', '/metrics');
  if (res.status !== 200) throw new Error(`/metrics: HTTP ${res.status}`);
  return [
    ...res.body.matchAll(/^apiserver_authentication_config_controller_last_config_info\{[^}]*hash="([^"]*)"/gm),
  ].map((m) => m[1]!);
}

/**
 * Replaces the authentication config file (atomically: the apiserver must never read half a file) and waits for
 * the apiserver to apply or refuse it: applied when the metric carries the sha256 of the new text; refused when its
 * log gets a reload error after the write. Never a blind sleep.
 */
export async function reloadAuthenticationConfig(
  harness: Harness,
  text: string,
  timeoutMs = 90_000,
): Promise<ReloadOutcome> {
  const file = authnConfigFile(harness);
  const log = harness.ready.apiserverLog;
  const logStart = existsSync(log) ? statSync(log).size : 0;
  const hash = `sha256:${createHash('sha256').update(text).digest('hex')}`;
  const tmp = `${file}.next`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (text !== '' && (await lastConfigHashes(harness.ready)).includes(hash)) return { applied: true };
    const added = readFileSync(log).subarray(logStart).toString('utf8');
    // klog entries start with a severity letter and a date at the start of a line; a value may span lines.
    for (const entry of added.split(/\n(?=[IWEF]\d{4} )/)) {
      const kind = Object.entries(RELOAD_MESSAGES).find(([m]) => entry.includes(`"${m}"`))?.[1];
      if (!kind) continue;
      const error = klogErrValue(entry) ?? entry;
      if (kind === 'update') return { applied: false, validated: true, error };
      return { applied: false, validated: false, stage: kind, error };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the apiserver neither applied nor refused the authentication config within ${timeoutMs} ms`);
}
