// One request in the shape of an authn vector (what `porthole authn --input FILE` reads) → one JSON answer:
// {"valid": true} | {"user": {...}} | {"authenticated": false} | {"stage": "load"|"validate"|"authenticate"|"input", "error": "..."}.

import { authenticate, type TraceStep } from './authenticate.ts';
import { MAX_TOKEN_BYTES } from './jwt.ts';
import { loadAuthenticationConfiguration } from './load.ts';
import { DEFAULT_VERSION, isVersion, VERSIONS, type UserInfo } from './types.ts';
import { validateAuthenticationConfiguration } from './validate.ts';

export interface AuthnRequest {
  kind: 'load' | 'validate' | 'authenticate';
  version?: string;
  /** The file text (YAML or JSON)… */
  configText?: string;
  /** …or the same document as JSON. */
  config?: unknown;
  /** A compact JWT and the issuer's JWKS… */
  token?: string;
  jwks?: unknown;
  /** …or the payload alone, its signature taken as valid ("claims only"); tokenHeader overrides {alg: RS256}. */
  claims?: Record<string, unknown>;
  tokenHeader?: Record<string, unknown>;
  /** Unix seconds; default: the current time. */
  now?: number;
  serviceAccountIssuers?: string[];
  context?: { serviceAccountIssuers?: string[] };
  /** Include the rule trace in the answer. */
  trace?: boolean;
}

export type AuthnResponse =
  | { valid: true }
  | { user: UserInfo; effectiveUser: UserInfo; trace?: TraceStep[] }
  | { authenticated: false; trace?: TraceStep[] }
  | { stage: 'load' | 'validate' | 'authenticate' | 'input'; error: string; trace?: TraceStep[] };

export async function runAuthnRequest(req: AuthnRequest): Promise<AuthnResponse> {
  const version = req.version ?? DEFAULT_VERSION;
  if (!isVersion(version)) return { stage: 'input', error: `version must be one of ${VERSIONS.join(', ')}` };
  if (!['load', 'validate', 'authenticate'].includes(req.kind))
    return { stage: 'input', error: 'kind must be load, validate or authenticate' };
  const text = req.configText ?? (req.config === undefined ? '' : JSON.stringify(req.config));
  const loaded = loadAuthenticationConfiguration(text, version);
  if (!loaded.ok) return { stage: 'load', error: loaded.error };
  const validated = validateAuthenticationConfiguration(loaded.config, {
    version,
    serviceAccountIssuers: req.serviceAccountIssuers ?? req.context?.serviceAccountIssuers ?? [],
  });
  if (validated.error) return { stage: 'validate', error: validated.error };
  if (req.kind !== 'authenticate') return { valid: true };
  if (req.token !== undefined && req.token.length > MAX_TOKEN_BYTES)
    return {
      stage: 'input',
      error: `token is ${req.token.length} bytes: kube-apiserver refuses request headers over ${MAX_TOKEN_BYTES} bytes (431 Request Header Fields Too Large) before any authenticator runs`,
    };
  if (req.token === undefined && req.claims === undefined)
    return { stage: 'input', error: 'authenticate needs "token" (with "jwks") or "claims"' };
  const r = await authenticate({
    config: loaded.config,
    version,
    now: req.now ?? Math.floor(Date.now() / 1000),
    ...(req.token !== undefined ? { token: req.token, jwks: req.jwks } : {}),
    ...(req.claims !== undefined ? { claims: req.claims, header: { alg: 'RS256', ...req.tokenHeader } } : {}),
  });
  const trace = req.trace ? { trace: r.trace } : {};
  if (r.authenticated) return { user: r.user, effectiveUser: r.effectiveUser, ...trace };
  if (r.error === null) return { authenticated: false, ...trace };
  return { stage: r.inputError ? 'input' : 'authenticate', error: r.error, ...trace };
}
