// Suite 2 of issue 4: the authn vectors (src/policy/authn/testdata, ids kept) asked of the real kube-apiserver 1.34
// and of src/policy/authn for the same input. `load`/`validate` vectors: the configuration is written to the
// apiserver's --authentication-config file and its hot reload applies it (valid) or logs why not. `authenticate`
// vectors: their configuration is applied the same way, the claims are signed by the harness issuer, and a
// TokenReview answers. Differences must be listed, with why, in authn-known-differences.txt; a listed one that
// agrees again fails too.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import data from '../../src/policy/authn/testdata/authn-vectors.json' with { type: 'json' };
import { runAuthnRequest, type AuthnRequest, type AuthnResponse } from '../../src/policy/authn/run.ts';
import { expectationFor, requestFor, versionsOf, type Vector } from '../../src/policy/authn/vectors.ts';
import {
  authnConfigFile,
  issuerJWKS,
  reachable,
  reloadAuthenticationConfig,
  SERVICE_ACCOUNT_ISSUERS,
  signToken,
  tokenReview,
  type ReloadOutcome,
  type Review,
} from './authn-channel.ts';
import { differenceReport, expectAgreedOrListed, readKnownDifferences, type Compared } from './differences.ts';
import { goAvailable, HARNESS_START_TIMEOUT_MS, reportSkipped, useHarness, type Harness } from './harness.ts';

reportSkipped('e2e/cluster/authn-differential.test.ts (authentication: src/policy/authn against kube-apiserver)');

const here = path.dirname(fileURLToPath(import.meta.url));
const KNOWN_FILE = path.join(here, 'authn-known-differences.txt');
const VERSION = '1.34';
type Kind = 'load' | 'validate' | 'authenticate';
const vectors = (data.vectors as unknown as (Vector & { kind: Kind })[]).filter((v) => versionsOf(v).includes(VERSION));

/** Vectors the live apiserver cannot be given, with why. */
const NOT_EXPRESSIBLE: Record<string, string> = {
  'val-disallowed-issuer':
    'needs --service-account-issuer values a, b, https://issuer-url, c; the harness apiserver has its own one',
  'load-anonymous-block-1.30':
    'has an `anonymous` section: a reload may not change it from the file the apiserver started with ' +
    '("anonymous: Forbidden: changed from initial configuration file")',
};

/** One answer, as both sides can give it. */
type Answer =
  | { verdict: 'valid' }
  | { verdict: 'error'; stage: string; error: string }
  | { verdict: 'user'; user: unknown }
  | { verdict: 'not authenticated' };

function ours(r: AuthnResponse): Answer {
  if ('valid' in r) return { verdict: 'valid' };
  if ('user' in r) return { verdict: 'user', user: canonical(r.user) };
  if ('authenticated' in r) return { verdict: 'not authenticated' };
  return { verdict: 'error', stage: r.stage, error: r.error };
}

function fromReload(o: ReloadOutcome): Answer {
  if (o.applied || o.validated) return { verdict: 'valid' };
  return { verdict: 'error', stage: o.stage, error: o.error };
}

/** What a bearer-token authenticator of the request chain says when none of its token authenticators took it. */
const INVALID_BEARER_TOKEN = 'invalid bearer token';

/**
 * A TokenReview's answer as the JWT authenticator's. The request chain appends `system:authenticated` to the
 * groups (dropped here). Its union of request authenticators aggregates the errors of all that failed: a token no
 * authenticator takes reads `invalid bearer token`; one the JWT authenticator refuses reads
 * `[invalid bearer token, <the JWT authenticator's error>]` (the error the vectors give, also what the apiserver
 * logs for a real request). Anything else is kept whole, so it shows as a difference.
 */
function fromReview(r: Review): Answer {
  if (r.authenticated) {
    const u = r.user ?? {};
    const groups = (u.groups ?? []).filter((g, i, all) => !(g === 'system:authenticated' && i === all.length - 1));
    return {
      verdict: 'user',
      user: canonical({
        username: u.username ?? '',
        ...(u.uid ? { uid: u.uid } : {}),
        ...(groups.length ? { groups } : {}),
        ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}),
      }),
    };
  }
  if (r.error === undefined || r.error === INVALID_BEARER_TOKEN) return { verdict: 'not authenticated' };
  const jwtError = new RegExp(`^\\[${INVALID_BEARER_TOKEN}, (.*)\\]$`, 's').exec(r.error)?.[1];
  return { verdict: 'error', stage: 'authenticate', error: jwtError ?? r.error };
}

/** Object keys sorted: user.extra is a Go map, its order means nothing. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, canonical(x)]),
    );
  return v;
}

const oneLine = (a: Answer): string => JSON.stringify(a).replace(/\\n/g, '\\n');
const agrees = (a: Answer, b: Answer): boolean => oneLine(a) === oneLine(b);
const compared = (r: { id: string; apiserver: Answer; ours: Answer }): Compared => ({
  id: r.id,
  apiserver: oneLine(r.apiserver),
  ours: oneLine(r.ours),
  agrees: agrees(r.apiserver, r.ours),
});

/** `jwt: Too many: 65: must have at most 64 items`. */
const MAX_AUTHENTICATORS = 64;

/**
 * The vector's authenticators with issuer URLs of their own (`<url>/porthole-<n>`), and its claims with the `iss`
 * that matched (an `iss` that matched none of the vector's issuers stays as it is, and still matches none).
 */
function separateIssuer(v: Vector, n: number): { jwt: unknown[]; claims: Record<string, unknown> } {
  const jwt = ((v.config as { jwt?: unknown[] }).jwt ?? []) as { issuer: { url: string } }[];
  const renamed = new Map(jwt.map((a, i) => [a.issuer.url, `${a.issuer.url.replace(/\/$/, '')}/porthole-${n}-${i}`]));
  const claims = { ...v.claims };
  if (typeof claims.iss === 'string' && renamed.has(claims.iss)) claims.iss = renamed.get(claims.iss);
  return { jwt: jwt.map((a) => ({ ...a, issuer: { ...a.issuer, url: renamed.get(a.issuer.url) } })), claims };
}

/** The time claims, moved by `delta` seconds: the vectors are written for 2009, the apiserver's clock is now. */
function shifted(claims: Record<string, unknown>, delta: number): Record<string, unknown> {
  const out = { ...claims };
  for (const k of ['exp', 'nbf', 'iat']) if (typeof out[k] === 'number') out[k] = (out[k] as number) + delta;
  return out;
}

interface Row {
  id: string;
  kind: Kind;
  /** Exactly what both sides were given (the file text; for authenticate also the token and time). */
  input: { configText: string; token?: string; now?: number };
  apiserver: Answer;
  ours: Answer;
  /** Time spent asking the apiserver (the reload, or the token review; the first of a group carries the reload). */
  ms: number;
}

describe.runIf(goAvailable)('authentication: src/policy/authn against the real kube-apiserver 1.34', () => {
  let harness: Harness;
  const rows = new Map<string, Row>();
  const known = readKnownDifferences(KNOWN_FILE);
  const asked = vectors.filter((v) => !NOT_EXPRESSIBLE[v.id]);
  let originalConfig = '';

  beforeAll(async () => {
    // Its own apiserver: this file rewrites the authentication config, which other test files rely on.
    harness = await useHarness({ private: true });
    originalConfig = readFileSync(authnConfigFile(harness), 'utf8');
    const started = Date.now();
    const ready = harness.ready;
    const context = { version: VERSION, serviceAccountIssuers: SERVICE_ACCOUNT_ISSUERS };

    // load and validate: one reload per vector, the outcome read from the metric or the apiserver's log.
    for (const v of asked.filter((x) => x.kind !== 'authenticate')) {
      const req = requestFor(v, VERSION);
      const configText = req.configText ?? JSON.stringify(reachable(req.config, ready));
      const t0 = Date.now();
      const apiserver = fromReload(await reloadAuthenticationConfig(harness, configText));
      const ms = Date.now() - t0;
      const mine = ours(await runAuthnRequest({ kind: v.kind, configText, ...context }));
      rows.set(v.id, { id: v.id, kind: v.kind, input: { configText }, apiserver, ours: mine, ms });
    }

    // authenticate: the vectors' authenticators side by side in one configuration (one reload: the apiserver
    // health-checks new authenticators every 10 s, so a reload per vector would take minutes), then a TokenReview
    // per vector. Issuers must be distinct, so each vector's issuer URL — and its token's `iss` with it — gets a
    // path segment of its own. Both sides get the same configuration and the same token.
    const jwks = await issuerJWKS(ready);
    const authenticate = asked.filter((x) => x.kind === 'authenticate');
    const batches: (typeof authenticate)[] = [];
    for (let i = 0; i < authenticate.length; i += MAX_AUTHENTICATORS)
      batches.push(authenticate.slice(i, i + MAX_AUTHENTICATORS));
    let ask = 0;
    for (const batch of batches) {
      const own = batch.map((v, i) => separateIssuer(v, i));
      const jwt = own.flatMap((o) => o.jwt);
      const apiVersion = (batch[0]!.config as { apiVersion?: string }).apiVersion; // the vectors' own: v1beta1
      const config = { apiVersion, kind: 'AuthenticationConfiguration', jwt };
      const configText = JSON.stringify(reachable(config, ready));
      let t0 = Date.now();
      const outcome = await reloadAuthenticationConfig(harness, configText);
      if (!outcome.applied) throw new Error(`the authenticate configuration was refused: ${JSON.stringify(outcome)}`);
      for (const [i, v] of batch.entries()) {
        const now = Math.floor(Date.now() / 1000);
        const claims = shifted(own[i]!.claims, now - (v.now ?? now));
        // A header field of our own makes every token distinct: the apiserver caches successful token reviews.
        const token = await signToken(ready, JSON.stringify(claims), { ...v.tokenHeader, 'porthole-ask': ask++ });
        const request: AuthnRequest = { kind: 'authenticate', configText, token, jwks, now, ...context };
        const apiserver = fromReview(await tokenReview(ready, token));
        const ms = Date.now() - t0;
        const mine = ours(await runAuthnRequest(request));
        rows.set(v.id, { id: v.id, kind: v.kind, input: { configText, token, now }, apiserver, ours: mine, ms });
        t0 = Date.now();
      }
    }
    console.log(
      `asked the apiserver ${rows.size} vectors (${batches.length} authenticate configuration(s)) in ${Date.now() - started} ms`,
    );
    const out = path.join(here, '..', '..', 'test-results', 'cluster-authn-differential.json');
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

  afterAll(async () => {
    if (harness && rows.size) {
      if (originalConfig) await reloadAuthenticationConfig(harness, originalConfig).catch(() => undefined);
      const byKind = (['load', 'validate', 'authenticate'] as const)
        .map((k) => {
          const all = [...rows.values()].filter((r) => r.kind === k);
          return `${k} ${all.filter((r) => agrees(r.apiserver, r.ours)).length}/${all.length}`;
        })
        .join(', ');
      console.log(
        differenceReport({
          title: `authentication differential (kube-apiserver ${harness.ready.k8sVersion} vs src/policy/authn ${VERSION})`,
          rows: [...rows.values()].map(compared),
          known,
          notExpressible: NOT_EXPRESSIBLE,
          ours: 'ours',
          detail: byKind,
        }),
      );
    }
    await harness?.release();
  }, 180_000);

  it('covers every vector of 1.34: asked, or not expressible with a reason', () => {
    const all = data.vectors as unknown as Vector[];
    expect(asked.length + Object.keys(NOT_EXPRESSIBLE).length).toBe(vectors.length);
    expect(vectors.length).toBe(all.length);
    for (const id of [...Object.keys(NOT_EXPRESSIBLE), ...known.keys()]) expect(all.map((v) => v.id)).toContain(id);
  });

  for (const v of asked) {
    it(`${v.id}: src/policy/authn answers as the apiserver does, or the difference is listed`, () => {
      const r = rows.get(v.id)!;
      expect(r, `${v.id} was asked`).toBeDefined();
      expectAgreedOrListed(compared(r), known, KNOWN_FILE, 'ours');
    });
  }

  it('the answers agreed on are the vectors’ own (what the apiserver says is what the vector says)', () => {
    // The vector's expectation for 1.34, where the adapted input cannot change it (no wall-clock time in the text).
    for (const v of asked) {
      const r = rows.get(v.id)!;
      const want = expectationFor(v, VERSION);
      if (!agrees(r.apiserver, r.ours)) continue;
      if (want.valid) expect(r.apiserver.verdict, v.id).toBe('valid');
      else if (want.user !== undefined)
        expect(r.apiserver, v.id).toEqual({ verdict: 'user', user: canonical(want.user) });
      else if (want.authenticated === false && !want.error) expect(r.apiserver.verdict, v.id).toBe('not authenticated');
      else if (typeof want.error === 'string' && !/Token Expiry: (?!0001)/.test(want.error))
        expect(r.apiserver, v.id).toMatchObject({ verdict: 'error', error: want.error });
      else if (want.errorContains) expect(r.apiserver, v.id).toMatchObject({ verdict: 'error' });
    }
  });
});
