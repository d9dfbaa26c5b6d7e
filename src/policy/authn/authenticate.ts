// A token through the JWT authenticators of a validated configuration, as kube-apiserver 1.30–1.34 runs it
// (k8s.io/apiserver plugin/pkg/authenticator/token/oidc + go-oidc v2 Verify): issuer pre-match, verification
// (audience, expiry, nbf, algorithm, signature, multi-audience), username, groups, uid, extra, claim rules, CEL
// claim rules, user rules. Every step is traced in the order it ran; the first error ends the run.

import { evaluate, fromJSON, type MapValue, type Program, type Value } from '../../cel/index.ts';
import { claimsValue } from '../../cel/kubernetes.ts';
import { nativeStringLists } from '../../cel/values.ts';
import { compileRule } from './cel-rules.ts';
import { GO_ZERO_TIME, goQuoteList, goTimeString } from './go-format.ts';
import { checkJwks, parseHeader, prematch, SUPPORTED_ALGORITHMS, verifySignature, type JWKS } from './jwt.ts';
import { minor, type AuthenticationConfiguration, type JWTAuthenticator, type UserInfo } from './types.ts';

export const CREDENTIAL_ID_KEY = 'authentication.kubernetes.io/credential-id';

export interface AuthenticateInput {
  config: AuthenticationConfiguration;
  version: string;
  /** Unix seconds. */
  now: number;
  /** A compact JWT, verified against `jwks`. */
  token?: string;
  jwks?: unknown;
  /** "Claims only": the payload, its signature assumed valid; `header` defaults to {alg: RS256}. */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

/** One step of the run, in kube-apiserver's order. */
export interface TraceStep {
  /** e.g. `issuer`, `audience`, `expiry`, `notBefore`, `algorithm`, `signature`, `username`, `claimValidationRule`. */
  step: string;
  /** The configuration field the step comes from, e.g. `jwt[0].claimValidationRules[1].expression`. */
  field?: string;
  expression?: string;
  outcome: 'pass' | 'fail' | 'skip' | 'assumed';
  /** The value a mapping or rule produced (JSON). */
  value?: unknown;
  detail?: string;
}

export type AuthenticateResult =
  | {
      authenticated: true;
      /** Index of the jwt[] entry that accepted the token. */
      authenticator: number;
      /** The JWT authenticator's user (what TokenReview shows, minus system:authenticated). */
      user: UserInfo;
      /** The user after the request chain: plus `system:authenticated` where kube-apiserver adds it. */
      effectiveUser: UserInfo;
      trace: TraceStep[];
    }
  | {
      authenticated: false;
      /** The authenticator's error, or null when no authenticator claimed the token (401, nothing logged). */
      error: string | null;
      authenticator?: number;
      /** Set when the input itself is unusable (not a kube-apiserver message). */
      inputError?: boolean;
      trace: TraceStep[];
    };

class Denied extends Error {}

export async function authenticate(input: AuthenticateInput): Promise<AuthenticateResult> {
  const trace: TraceStep[] = [];
  let payload: Record<string, unknown>;
  let header: Record<string, unknown>;
  const josePrefix = minor(input.version) >= 33 ? 'go-jose/go-jose' : 'square/go-jose';
  if (input.token !== undefined) {
    const token = input.token.trim();
    const pre = prematch(token);
    if (!pre) {
      trace.push({
        step: 'issuer',
        outcome: 'skip',
        detail: 'not a compact JWT with a JSON payload: every JWT authenticator ignores it',
      });
      return { authenticated: false, error: null, trace };
    }
    payload = pre.payload;
    const h = parseHeader(token, josePrefix);
    header = h.ok ? h.header : {};
    if (!h.ok) {
      const index = matchIssuer(input.config, payload, trace);
      if (index < 0) return { authenticated: false, error: null, trace };
      trace.push({ step: 'parse', outcome: 'fail', detail: h.error });
      return {
        authenticated: false,
        authenticator: index,
        error: `oidc: verify token: oidc: malformed jwt: ${h.error}`,
        trace,
      };
    }
  } else {
    payload = input.claims ?? {};
    header = input.header ?? { alg: 'RS256' };
  }
  const index = matchIssuer(input.config, payload, trace);
  if (index < 0) return { authenticated: false, error: null, trace };
  const a = input.config.jwt![index]!;
  try {
    await verify(input, a, `jwt[${index}]`, payload, header, trace);
    const user = await mapAndValidate(input, a, index, payload, trace);
    return { authenticated: true, authenticator: index, user, effectiveUser: effective(user), trace };
  } catch (e) {
    if (e instanceof Denied) return { authenticated: false, authenticator: index, error: e.message, trace };
    if (e instanceof InputError)
      return { authenticated: false, authenticator: index, error: e.message, inputError: true, trace };
    throw e;
  }
}

class InputError extends Error {}

function matchIssuer(
  config: AuthenticationConfiguration,
  payload: Record<string, unknown>,
  trace: TraceStep[],
): number {
  let iss = payload.iss;
  if (typeof iss !== 'string') {
    trace.push({
      step: 'issuer',
      outcome: 'skip',
      detail: '"iss" is not a string: every JWT authenticator ignores the token',
    });
    return -1;
  }
  if (iss === 'accounts.google.com') iss = 'https://accounts.google.com';
  const jwt = config.jwt ?? [];
  const index = jwt.findIndex((a) => (a.issuer?.url ?? '') === iss);
  if (index < 0) {
    trace.push({
      step: 'issuer',
      outcome: 'skip',
      value: iss,
      detail: `no jwt[].issuer.url equals ${JSON.stringify(iss)} byte for byte: the JWT authenticators ignore the token (401)`,
    });
    return -1;
  }
  trace.push({ step: 'issuer', field: `jwt[${index}].issuer.url`, outcome: 'pass', value: iss });
  return index;
}

const verifyError = (msg: string) => new Denied(`oidc: verify token: ${msg}`);

function jsonKind(v: unknown): string {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** go-oidc's jsonTime: a number or a numeric string, truncated to whole seconds. */
function jsonTime(v: unknown, name: string): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') {
    if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return Math.trunc(Number(v));
    throw verifyError(
      `oidc: failed to unmarshal claims: json: invalid number literal, trying to unmarshal ${JSON.stringify(JSON.stringify(v))} into Number`,
    );
  }
  if (v === null) throw verifyError(`oidc: failed to unmarshal claims: strconv.ParseFloat: parsing "": invalid syntax`);
  throw verifyError(
    `oidc: failed to unmarshal claims: json: cannot unmarshal ${jsonKind(v)} into Go struct field idToken.${name} of type json.Number`,
  );
}

function audiences(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) {
    for (const x of v)
      if (typeof x !== 'string')
        throw verifyError(
          `oidc: failed to unmarshal claims: json: cannot unmarshal ${jsonKind(x)} into Go value of type string`,
        );
    return v as string[];
  }
  throw verifyError(
    `oidc: failed to unmarshal claims: json: cannot unmarshal ${jsonKind(v)} into Go value of type []string`,
  );
}

async function verify(
  input: AuthenticateInput,
  a: JWTAuthenticator,
  base: string,
  payload: Record<string, unknown>,
  header: Record<string, unknown>,
  trace: TraceStep[],
): Promise<void> {
  const audiencesField = `${base}.issuer.audiences`;
  const fail = (step: string, e: Denied, field?: string): never => {
    trace.push({ step, ...(field ? { field } : {}), outcome: 'fail', detail: e.message });
    throw e;
  };
  // Standard claims as go-oidc unmarshals them.
  let aud: string[] = [];
  let exp = GO_ZERO_TIME;
  let nbf: number | undefined;
  try {
    for (const k of ['sub', 'nonce', 'at_hash'] as const)
      if (k in payload && payload[k] !== null && typeof payload[k] !== 'string')
        throw verifyError(
          `oidc: failed to unmarshal claims: json: cannot unmarshal ${jsonKind(payload[k])} into Go struct field idToken.${k} of type string`,
        );
    aud = audiences(payload.aud);
    if ('exp' in payload) exp = jsonTime(payload.exp, 'exp');
    if ('iat' in payload) jsonTime(payload.iat, 'iat');
    if ('nbf' in payload && payload.nbf !== null) nbf = jsonTime(payload.nbf, 'nbf');
    const names = payload._claim_names;
    if (names !== undefined && names !== null) {
      const sources = (payload._claim_sources ?? {}) as Record<string, unknown>;
      for (const src of Object.values(names as Record<string, unknown>)) {
        if (src === '') throw verifyError('oidc: failed to obtain source from claim name');
        if (!(String(src) in sources)) throw verifyError('oidc: source does not exist');
      }
    }
  } catch (e) {
    if (e instanceof Denied) fail('claims', e);
    throw e;
  }
  const configured = a.issuer?.audiences ?? [];
  if (configured.length === 1) {
    if (!aud.includes(configured[0]!))
      fail(
        'audience',
        verifyError(`oidc: expected audience ${JSON.stringify(configured[0])} got ${goQuoteList(aud)}`),
        audiencesField,
      );
    trace.push({ step: 'audience', field: audiencesField, outcome: 'pass', value: aud });
  }
  if (exp === GO_ZERO_TIME || exp < input.now)
    fail('expiry', verifyError(`oidc: token is expired (Token Expiry: ${goTimeString(exp)})`));
  trace.push({ step: 'expiry', outcome: 'pass', value: exp });
  if (nbf !== undefined) {
    if (input.now + 60 < nbf)
      fail(
        'notBefore',
        verifyError(
          `oidc: current time ${goTimeString(input.now)} before the nbf (not before) time: ${goTimeString(nbf)}`,
        ),
      );
    trace.push({ step: 'notBefore', outcome: 'pass', value: nbf, detail: '60 s leeway' });
  }
  const alg = typeof header.alg === 'string' ? header.alg : '';
  if (!SUPPORTED_ALGORITHMS.includes(alg))
    fail(
      'algorithm',
      verifyError(
        `oidc: id token signed with unsupported algorithm, expected ${goQuoteList(SUPPORTED_ALGORITHMS)} got ${JSON.stringify(alg)}`,
      ),
    );
  trace.push({ step: 'algorithm', outcome: 'pass', value: alg });
  if (input.token !== undefined) {
    const problem = checkJwks(input.jwks);
    if (problem) {
      trace.push({ step: 'signature', outcome: 'fail', detail: problem });
      throw new InputError(problem);
    }
    const kid = typeof header.kid === 'string' && header.kid ? header.kid : undefined;
    if (!(await verifySignature(input.token.trim(), alg, kid, input.jwks as JWKS)))
      fail(
        'signature',
        new Denied('oidc: verify token: failed to verify signature: failed to verify id token signature'),
      );
    trace.push({ step: 'signature', outcome: 'pass', ...(kid ? { value: kid } : {}) });
  } else trace.push({ step: 'signature', outcome: 'assumed', detail: 'claims only: the signature is taken as valid' });
  if (configured.length > 1) {
    if (!aud.some((x) => configured.includes(x)))
      fail(
        'audience',
        verifyError(`oidc: expected audience in ${goQuoteList([...configured].sort())} got ${goQuoteList(aud)}`),
        audiencesField,
      );
    trace.push({ step: 'audience', field: audiencesField, outcome: 'pass', value: aud, detail: 'MatchAny' });
  }
}

/** Go's json.Unmarshal of one claim into a string; null leaves "". */
function claimString(payload: Record<string, unknown>, claim: string): string {
  if (!(claim in payload)) throw new Error('claim not present');
  const v = payload[claim];
  if (v === null) return '';
  if (typeof v !== 'string') throw new Error(`json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
  return v;
}

function asStringList(v: Value): string[] | undefined {
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (v === null) return [];
  if (Array.isArray(v) && !nativeStringLists.has(v)) {
    const out: string[] = [];
    for (const x of v as Value[]) {
      if (typeof x !== 'string') return undefined;
      if (x) out.push(x);
    }
    return out;
  }
  return undefined;
}

async function mapAndValidate(
  input: AuthenticateInput,
  a: JWTAuthenticator,
  index: number,
  payload: Record<string, unknown>,
  trace: TraceStep[],
): Promise<UserInfo> {
  const m = minor(input.version);
  const base = `jwt[${index}]`;
  const mappings = a.claimMappings ?? {};
  const claims = claimsValue(payload, input.version);
  const deny = (step: string, field: string, message: string, expression?: string): never => {
    trace.push({ step, field, ...(expression ? { expression } : {}), outcome: 'fail', detail: message });
    throw new Denied(message);
  };
  const run = (expression: string, field: string, use: 'claims' | 'user', bool: boolean, value: Value) => {
    const c = compileRule(expression, input.version, use, bool);
    if (!c.ok) throw new InputError(`${field}: ${c.detail}`);
    return evaluate(c.program as Program, { [use]: value });
  };

  // Distributed groups are fetched from the claim source; the playground cannot make that request.
  const groupsClaim = mappings.groups?.claim;
  if (groupsClaim && !mappings.groups?.expression && !(groupsClaim in payload)) {
    const names = payload._claim_names as Record<string, string> | undefined;
    const src = names?.[groupsClaim];
    const source = src
      ? ((payload._claim_sources as Record<string, { endpoint?: string }> | undefined)?.[src] ?? {})
      : {};
    if (src && source.endpoint)
      throw new InputError(
        `distributed claim "${groupsClaim}" would be fetched from ${source.endpoint}; the playground does not fetch claim sources`,
      );
  }

  // username
  const u = mappings.username ?? {};
  let username: string;
  if (u.expression) {
    const f = `${base}.claimMappings.username.expression`;
    const r = run(u.expression, f, 'claims', false, claims);
    if (!r.ok)
      deny(
        'username',
        f,
        `oidc: error evaluating username claim expression: expression '${u.expression}' resulted in error: ${r.error}`,
        u.expression,
      );
    const v = (r as { value: Value }).value;
    if (typeof v !== 'string')
      deny(
        'username',
        f,
        'oidc: error evaluating username claim expression: username claim expression must return a string',
        u.expression,
      );
    if (v === '') deny('username', f, 'oidc: empty username via CEL expression is not allowed', u.expression);
    username = v as string;
    trace.push({ step: 'username', field: f, expression: u.expression, outcome: 'pass', value: username });
  } else {
    const claim = u.claim ?? '';
    const f = `${base}.claimMappings.username.claim`;
    try {
      username = claimString(payload, claim);
    } catch (e) {
      return deny('username', f, `oidc: parse username claims ${JSON.stringify(claim)}: ${(e as Error).message}`);
    }
    if (claim === 'email' && 'email_verified' in payload) {
      const ev = payload.email_verified;
      if (ev !== null && typeof ev !== 'boolean')
        deny(
          'email_verified',
          f,
          `oidc: parse 'email_verified' claim: json: cannot unmarshal ${jsonKind(ev)} into Go value of type bool`,
        );
      if (ev !== true) deny('email_verified', f, 'oidc: email not verified');
      trace.push({ step: 'email_verified', field: f, outcome: 'pass', value: true });
    }
    if (u.prefix) username = u.prefix + username;
    trace.push({ step: 'username', field: f, outcome: 'pass', value: username });
  }

  // groups
  const g = mappings.groups ?? {};
  let groups: string[] = [];
  if (g.expression) {
    const f = `${base}.claimMappings.groups.expression`;
    const r = run(g.expression, f, 'claims', false, claims);
    if (!r.ok)
      deny(
        'groups',
        f,
        `oidc: error evaluating group claim expression: expression '${g.expression}' resulted in error: ${r.error}`,
        g.expression,
      );
    const list = asStringList((r as { value: Value }).value);
    if (!list)
      deny(
        'groups',
        f,
        'oidc: error evaluating group claim expression: expression must return a string or a list of strings',
        g.expression,
      );
    groups = list!;
    trace.push({ step: 'groups', field: f, expression: g.expression, outcome: 'pass', value: groups });
  } else if (g.claim && g.claim in payload) {
    const f = `${base}.claimMappings.groups.claim`;
    const v = payload[g.claim];
    if (Array.isArray(v)) {
      if (v.some((x) => typeof x !== 'string'))
        deny(
          'groups',
          f,
          `oidc: parse groups claim ${JSON.stringify(g.claim)}: json: cannot unmarshal array into Go value of type string`,
        );
      groups = v as string[];
    } else if (typeof v === 'string') groups = [v];
    else if (v !== null)
      deny(
        'groups',
        f,
        `oidc: parse groups claim ${JSON.stringify(g.claim)}: json: cannot unmarshal ${jsonKind(v)} into Go value of type string`,
      );
    if (g.prefix) groups = groups.map((x) => g.prefix + x);
    trace.push({ step: 'groups', field: f, outcome: 'pass', value: groups });
  }

  // uid
  const uidMapping = mappings.uid ?? {};
  let uid = '';
  if (uidMapping.expression) {
    const f = `${base}.claimMappings.uid.expression`;
    const r = run(uidMapping.expression, f, 'claims', false, claims);
    if (!r.ok)
      deny(
        'uid',
        f,
        `oidc: error evaluating uid claim expression: expression '${uidMapping.expression}' resulted in error: ${r.error}`,
        uidMapping.expression,
      );
    const v = (r as { value: Value }).value;
    if (typeof v !== 'string')
      deny(
        'uid',
        f,
        'oidc: error evaluating uid claim expression: uid claim expression must return a string',
        uidMapping.expression,
      );
    uid = v as string;
    trace.push({ step: 'uid', field: f, expression: uidMapping.expression, outcome: 'pass', value: uid });
  } else if (uidMapping.claim) {
    const f = `${base}.claimMappings.uid.claim`;
    try {
      uid = claimString(payload, uidMapping.claim);
    } catch (e) {
      deny('uid', f, `oidc: parse uid claim ${JSON.stringify(uidMapping.claim)}: ${(e as Error).message}`);
    }
    trace.push({ step: 'uid', field: f, outcome: 'pass', value: uid });
  }

  // extra: credential-id from jti (1.32+), then every valueExpression before any result is looked at
  const extra: Record<string, string[]> = {};
  if (m >= 32 && typeof payload.jti === 'string' && payload.jti) {
    extra[CREDENTIAL_ID_KEY] = [`JTI=${payload.jti}`];
    trace.push({
      step: 'credentialID',
      outcome: 'pass',
      value: extra[CREDENTIAL_ID_KEY],
      detail: 'from the jti claim',
    });
  }
  const extraResults = (mappings.extra ?? []).map((e, k) => {
    const f = `${base}.claimMappings.extra[${k}].valueExpression`;
    return { e, f, r: run(e.valueExpression ?? '', f, 'claims', false, claims) };
  });
  for (const { e, f, r } of extraResults)
    if (!r.ok) deny('extra', f, `expression '${e.valueExpression}' resulted in error: ${r.error}`, e.valueExpression);
  for (const { e, f, r } of extraResults) {
    const list = asStringList((r as { value: Value }).value);
    if (!list)
      deny(
        'extra',
        f,
        `oidc: error evaluating extra claim expression: ${e.valueExpression}: expression must return a string or a list of strings`,
        e.valueExpression,
      );
    if (list!.length) extra[e.key ?? ''] = list!;
    trace.push({
      step: 'extra',
      field: f,
      expression: e.valueExpression ?? '',
      outcome: 'pass',
      value: list,
      detail: e.key ?? '',
    });
  }

  // claim-style rules (a Go map: any order; we keep the file's), then CEL claim rules
  const rules = (a.claimValidationRules ?? []).map((r, k) => ({ r, f: `${base}.claimValidationRules[${k}]` }));
  for (const { r, f } of rules.filter((x) => x.r.claim)) {
    const claim = r.claim!;
    const want = r.requiredValue ?? '';
    if (!(claim in payload)) deny('claimValidationRule', f, `oidc: required claim ${claim} not present in ID token`);
    let got: string;
    try {
      got = claimString(payload, claim);
    } catch (e) {
      return deny('claimValidationRule', f, `oidc: parse claim ${claim}: ${(e as Error).message}`);
    }
    if (got !== want)
      deny(
        'claimValidationRule',
        f,
        `oidc: required claim ${claim} value does not match. Got = ${got}, want = ${want}`,
      );
    trace.push({ step: 'claimValidationRule', field: f, outcome: 'pass', value: got });
  }
  const celRules = rules
    .filter((x) => x.r.expression)
    .map((x) => ({ ...x, res: run(x.r.expression!, `${x.f}.expression`, 'claims', true, claims) }));
  runValidation(celRules, 'claimValidationRule', 'oidc: error evaluating claim validation expression: ', trace);

  const user: UserInfo = { username };
  if (uid) user.uid = uid;
  if (groups.length) user.groups = groups;
  if (Object.keys(extra).length) user.extra = extra;

  const userValue = fromJSON({ username, uid, groups, extra }) as MapValue;
  const userRules = (a.userValidationRules ?? []).map((r, k) => {
    const f = `${base}.userValidationRules[${k}]`;
    return { r, f, res: run(r.expression ?? '', `${f}.expression`, 'user', true, userValue) };
  });
  runValidation(userRules, 'userValidationRule', 'oidc: error evaluating user info validation rule: ', trace);
  return user;

  function runValidation(
    list: { r: { expression?: string; message?: string }; f: string; res: ReturnType<typeof evaluate> }[],
    step: string,
    prefix: string,
    out: TraceStep[],
  ): void {
    for (const { r, f, res } of list)
      if (!res.ok)
        deny(
          step,
          `${f}.expression`,
          `${prefix}expression '${r.expression}' resulted in error: ${res.error}`,
          r.expression,
        );
    for (const { r, f, res } of list) {
      const v = (res as { value: Value }).value;
      if (v !== true)
        deny(
          step,
          `${f}.expression`,
          `${prefix}validation expression '${r.expression}' failed: ${r.message ?? ''}`,
          r.expression,
        );
      out.push({ step, field: `${f}.expression`, expression: r.expression ?? '', outcome: 'pass', value: true });
    }
  }
}

/** The request chain's AuthenticatedGroupAdder. */
export function effective(user: UserInfo): UserInfo {
  const groups = user.groups ?? [];
  if (
    user.username === 'system:anonymous' ||
    groups.includes('system:authenticated') ||
    groups.includes('system:unauthenticated')
  )
    return user;
  return { ...user, groups: [...groups, 'system:authenticated'] };
}
