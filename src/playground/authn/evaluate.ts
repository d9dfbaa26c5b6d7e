// The authentication page: an AuthenticationConfiguration (YAML), a token (a compact JWT checked against a pasted
// JWKS, or claims as YAML with the signature taken as valid), the time and the Kubernetes version, run through
// src/policy/authn as kube-apiserver would: load, validate, then the JWT authenticators. The result says who the
// token authenticates as, or the exact error, and every step in the order kube-apiserver ran it.

import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { authenticate, effective, type TraceStep } from '../../policy/authn/authenticate.ts';
import { checkJwks, PRIVATE_MEMBERS } from '../../policy/authn/jwt.ts';
import { loadAuthenticationConfiguration } from '../../policy/authn/load.ts';
import type { UserInfo } from '../../policy/authn/types.ts';
import { validateAuthenticationConfiguration } from '../../policy/authn/validate.ts';
import type { Diagnostic, PlaygroundRequest } from '../evaluation.ts';
import type { KubeVersion } from '../state.ts';
import { diag, firstLine, plain } from '../diagnostics.ts';
import { parseYaml } from '../yaml/parse.ts';
import { rangeOf, type SourceRange } from '../yaml/positions.ts';
import { fieldDiagnostics } from '../yaml/field-markers.ts';
import { locateField } from '../yaml/field-positions.ts';
import { decodeToken } from './token.ts';

export type AuthnTokenMode = 'jwt' | 'claims';

/**
 * What the authentication page shows, for the chosen version and time.
 *
 * - `outcome` is where the run ended:
 *   `authenticated` (a JWT authenticator accepted the token: `verdict.user`),
 *   `rejected` (the authenticator whose issuer matched failed the token: `verdict.error` is what kube-apiserver
 *   logs; the client only sees 401),
 *   `ignored` (no `jwt[].issuer.url` is the token's `iss`, or it is not a JWT: nothing is logged, 401 unless
 *   another authenticator takes it),
 *   `invalid-config` (the file does not load or validate: kube-apiserver would not start, or keeps the old file
 *   on reload: `config.error`),
 *   `invalid-input` (the token, claims, JWKS or time cannot be used: `inputError`, and markers on the editors).
 * - `trace` lists each step in kube-apiserver's order; `decidedBy` is the index of the step that rejected or
 *   ignored the token.
 */
export interface AuthnPageResult {
  outcome: 'authenticated' | 'rejected' | 'ignored' | 'invalid-config' | 'invalid-input';
  version: KubeVersion;
  tokenMode: AuthnTokenMode;
  /** The time the token was checked at; `real` when the "now" option was empty. */
  now: { unix: number; rfc3339: string; real: boolean };
  config: AuthnConfigStatus;
  token: AuthnTokenView;
  /** Set when the configuration is valid and the input usable. */
  verdict?: AuthnVerdict;
  trace: AuthnTraceStep[];
  decidedBy?: number;
  /** For `invalid-input`: what cannot be used, in one sentence. */
  inputError?: string;
}

export interface AuthnConfigStatus {
  valid: boolean;
  /** Where it failed: loading (decoding) the file or ValidateAuthenticationConfiguration. */
  stage?: 'load' | 'validate';
  /**
   * kube-apiserver's text: after `failed to load authentication configuration from file "<path>": ` (load) or
   * after `invalid authentication configuration: ` (validate).
   */
  error?: string;
  /** Each validation error, with its field path (`jwt[0].issuer.url`) and kube-apiserver's rendering. */
  errors: { field: string; message: string }[];
  /** `jwt[].issuer.url` in order, when the file loads. */
  issuers: string[];
}

export interface AuthnTokenView {
  /** The decoded protected header (mode jwt), whenever it decodes, even if verification fails. */
  header?: Record<string, unknown>;
  /** The payload: decoded from the token (mode jwt) or read from the claims YAML (mode claims). */
  claims?: Record<string, unknown>;
  /** `verified` against the JWKS, `assumed` (mode claims), `failed`, or `not checked` (the run stopped earlier). */
  signature: 'verified' | 'assumed' | 'failed' | 'not checked';
}

export type AuthnVerdict =
  | {
      authenticated: true;
      /** Index of the `jwt[]` entry that accepted the token, and its issuer URL. */
      authenticator: number;
      issuer: string;
      /** What `kubectl auth whoami` would show: the authenticator's user plus `system:authenticated`. */
      user: UserInfo;
      /** The JWT authenticator's own output (TokenReview's user without `system:authenticated`). */
      authenticatorUser: UserInfo;
    }
  | {
      authenticated: false;
      authenticator?: number;
      issuer?: string;
      /** The authenticator's error as kube-apiserver logs it; null when every authenticator ignored the token. */
      error: string | null;
      /** What the client gets. */
      status: 401;
    };

/** A step of the run (see TraceStep), with where its rule is in the configuration editor. */
export interface AuthnTraceStep extends TraceStep {
  range?: SourceRange;
}

export const DEFAULT_TOKEN_MODE: AuthnTokenMode = 'jwt';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

export async function evaluateAuthnPage(
  request: PlaygroundRequest,
): Promise<{ result: AuthnPageResult; diagnostics: Diagnostic[] }> {
  const version = request.version;
  const docs = request.docs;
  const configText = docs.config ?? '';
  const tokenMode: AuthnTokenMode =
    request.options.tokenMode === 'claims' || request.options.tokenMode === 'jwt'
      ? request.options.tokenMode
      : DEFAULT_TOKEN_MODE;
  const diagnostics: Diagnostic[] = [];
  const trace: AuthnTraceStep[] = [];
  const nowText = (request.options.now ?? '').trim();
  const realNow = nowText === '';
  const nowMs = realNow ? Date.now() : RFC3339.test(nowText) ? Date.parse(nowText) : NaN;
  const unix = Number.isNaN(nowMs) ? 0 : Math.floor(nowMs / 1000);
  const base = {
    version,
    tokenMode,
    now: {
      unix,
      rfc3339: Number.isNaN(nowMs) ? '' : new Date(unix * 1000).toISOString().replace('.000Z', 'Z'),
      real: realNow,
    },
  };
  const config: AuthnConfigStatus = { valid: false, errors: [], issuers: [] };
  const token: AuthnTokenView = { signature: 'not checked' };
  const finish = (rest: Partial<AuthnPageResult> & Pick<AuthnPageResult, 'outcome'>) => ({
    result: { ...base, config, token, trace, ...rest },
    diagnostics,
  });

  // The configuration: load, then validate, with markers where the fields are.
  const positions = parseDocument(configText, { version: '1.1', uniqueKeys: false, prettyErrors: false });
  const loaded = loadAuthenticationConfiguration(configText, version);
  if (!loaded.ok) {
    config.stage = 'load';
    config.error = loaded.error;
    diagnostics.push(...loadDiagnostics(configText, positions, loaded.error, loaded.offset));
  } else {
    config.issuers = (loaded.config.jwt ?? []).map((a) => a.issuer?.url ?? '');
    const validated = validateAuthenticationConfiguration(loaded.config, { version });
    for (const [i, e] of validated.errors.entries()) {
      const message = validated.messages[i] ?? e.detail;
      config.errors.push({ field: e.field, message });
      const marks = fieldDiagnostics('config', configText, positions, e.field, 'error', message, e.cel?.issues);
      diagnostics.push(...(marks.length ? marks : [firstLine('config', configText, 'error', message)]));
    }
    if (validated.error) {
      config.stage = 'validate';
      config.error = validated.error;
    } else config.valid = true;
  }

  // The token: decoded for display whatever happens next.
  let payload: Record<string, unknown> | undefined;
  let jwks: unknown;
  let inputError: string | undefined;
  let tokenToRun = '';
  if (tokenMode === 'jwt') {
    const text = docs.token ?? '';
    if (text.trim() === '') inputError = 'paste a JWT in the token editor, or switch to claims';
    else {
      const decoded = decodeToken(text);
      if (decoded.header) token.header = decoded.header;
      if (decoded.claims) token.claims = decoded.claims;
      for (const p of decoded.problems) diagnostics.push(diag('token', text, p.severity, p.message, p.from, p.to));
      inputError = decoded.unusable;
      tokenToRun = decoded.token;
      jwks = readJwks(docs.jwks ?? '', diagnostics);
      // The core decodes the token itself, as kube-apiserver would; a token that does not decode is its to judge.
      if (!inputError) payload = token.claims ?? {};
    }
  } else {
    const text = docs.claims ?? '';
    const parsed = parseYaml('claims', text);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.ok) inputError = 'the claims are not valid YAML';
    else if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
      inputError = 'the claims must be a mapping, such as `iss: https://…`';
      diagnostics.push(firstLine('claims', text, 'error', inputError));
    } else {
      payload = plain(parsed.value) as Record<string, unknown>;
      token.claims = payload;
      token.signature = 'assumed';
    }
  }
  if (Number.isNaN(nowMs)) {
    inputError ??= `"now" must be an RFC 3339 time such as 2009-11-10T23:00:00Z, or empty for the current time; got ${JSON.stringify(nowText)}`;
  }

  if (!loaded.ok || !config.valid) return finish({ outcome: 'invalid-config', ...(inputError ? { inputError } : {}) });
  if (inputError || payload === undefined)
    return finish({ outcome: 'invalid-input', inputError: inputError ?? 'no token to check' });

  const r = await authenticate({
    config: loaded.config,
    version,
    now: unix,
    ...(tokenMode === 'jwt' ? { token: tokenToRun, jwks } : {}),
    ...(tokenMode === 'claims' ? { claims: payload, header: { alg: 'RS256' } } : {}),
  });
  for (const step of r.trace) {
    const at = step.field ? locateField(positions, step.field) : undefined;
    trace.push({ ...step, ...(at ? { range: rangeOf(configText, at.from, at.to) } : {}) });
  }
  const signature = r.trace.find((s) => s.step === 'signature');
  if (signature)
    token.signature =
      signature.outcome === 'pass' ? 'verified' : signature.outcome === 'assumed' ? 'assumed' : 'failed';
  const issuer = (i: number | undefined) => (i === undefined ? {} : { issuer: config.issuers[i] ?? '' });
  if (r.authenticated) {
    return finish({
      outcome: 'authenticated',
      verdict: {
        authenticated: true,
        authenticator: r.authenticator,
        issuer: config.issuers[r.authenticator] ?? '',
        user: effective(r.user),
        authenticatorUser: r.user,
      },
    });
  }
  const decidedBy = trace.findIndex((s) => s.outcome === 'fail' || (s.outcome === 'skip' && r.error === null));
  const decided = decidedBy >= 0 ? trace[decidedBy] : undefined;
  if (r.inputError) {
    const doc = decided?.step === 'signature' ? 'jwks' : 'config';
    diagnostics.push(firstLine(doc, docs[doc] ?? '', 'error', r.error ?? ''));
    return finish({ outcome: 'invalid-input', inputError: r.error ?? '', ...(decidedBy >= 0 ? { decidedBy } : {}) });
  }
  if (decided?.range && r.error !== null)
    diagnostics.push({
      doc: 'config',
      severity: 'warning',
      message: `rejects the token: ${r.error}`,
      range: decided.range,
    });
  if (r.error === null) {
    const doc = tokenMode === 'jwt' ? 'token' : 'claims';
    const message = decided?.detail ?? 'no JWT authenticator takes this token';
    diagnostics.push(firstLine(doc, docs[doc] ?? '', 'info', message));
  }
  return finish({
    outcome: r.error === null ? 'ignored' : 'rejected',
    verdict: {
      authenticated: false,
      ...(r.authenticator !== undefined ? { authenticator: r.authenticator } : {}),
      ...issuer(r.authenticator),
      error: r.error,
      status: 401,
    },
    ...(decidedBy >= 0 ? { decidedBy } : {}),
  });
}

/** The load error on the line it is about: a YAML error's offset, an unknown field's key, a duplicate key's line. */
function loadDiagnostics(text: string, doc: Document.Parsed, error: string, offset?: number): Diagnostic[] {
  if (offset !== undefined) return [diag('config', text, 'error', error, offset, offset + 1)];
  const out: Diagnostic[] = [];
  if (!doc.errors.length) {
    for (const m of error.matchAll(/unknown field "([^"]+)"/g)) {
      const at = locateField(doc, m[1]!);
      if (at?.exact) out.push(diag('config', text, 'error', `unknown field "${m[1]}"`, at.from, at.to));
    }
    for (const m of error.matchAll(/line (\d+): key "((?:[^"\\]|\\.)*)" already set in map/g)) {
      const lineStart = nthLineStart(text, Number(m[1]));
      const key = text.indexOf(m[2]!, lineStart);
      const from = key >= 0 ? key : lineStart;
      out.push(
        diag('config', text, 'error', `key "${m[2]}" already set in map`, from, from + Math.max(1, m[2]!.length)),
      );
    }
  }
  // The whole error on the first line as well, so the apiserver's own text is always visible at a glance.
  return [firstLine('config', text, 'error', error), ...out];
}

function nthLineStart(text: string, line: number): number {
  let at = 0;
  for (let n = 1; n < line && at >= 0; n++) at = text.indexOf('\n', at) + 1;
  return Math.max(0, at);
}

/** The JWKS editor (JSON or YAML); markers on private members and on shapes no issuer would publish. */
function readJwks(text: string, diagnostics: Diagnostic[]): unknown {
  if (text.trim() === '') return undefined;
  const parsed = parseYaml('jwks', text);
  diagnostics.push(...parsed.diagnostics);
  if (!parsed.ok) return undefined;
  const value = plain(parsed.value);
  const problem = checkJwks(value);
  if (!problem) return value;
  const keys = isMap(parsed.doc.contents) ? parsed.doc.contents.get('keys', true) : undefined;
  let marked = false;
  if (isSeq(keys)) {
    for (const item of keys.items) {
      if (!isMap(item)) continue;
      for (const pair of item.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : '';
        const range = (pair.key as Node | null)?.range;
        if (PRIVATE_MEMBERS.includes(name) && range) {
          diagnostics.push(
            diag('jwks', text, 'error', `"${name}" is private key material: ${problem}`, range[0], range[1]),
          );
          marked = true;
        }
      }
    }
  }
  if (!marked) diagnostics.push(firstLine('jwks', text, 'error', problem));
  return value;
}
