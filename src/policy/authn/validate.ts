// ValidateAuthenticationConfiguration (k8s.io/apiserver pkg/apis/apiserver/validation) for 1.30–1.34: the same
// checks in the same order, the same field paths and texts, the 1.34 rewordings and value rendering.

import type { CelIssue, Program } from '../../cel/index.ts';
import { compileRule, usesClaim, type CelUse } from './cel-rules.ts';
import {
  aggregate,
  duplicate,
  forbidden,
  invalid,
  renderFieldError,
  required,
  tooMany,
  type FieldError,
} from './field-errors.ts';
import { goQuote } from './go-format.ts';
import { parseGoURL } from './go-url.ts';
import {
  minor,
  type AuthenticationConfiguration,
  type JWTAuthenticator,
  type PrefixedClaimOrExpression,
} from './types.ts';

export const MAX_JWT_AUTHENTICATORS = 64;

/** A field error, plus the CEL issues when it is a compile failure (for editor markers). */
export interface ValidationError extends FieldError {
  cel?: { expression: string; issues: CelIssue[] };
}

export interface ValidateOptions {
  version: string;
  /** --service-account-issuer values: JWT issuers may not reuse them. */
  serviceAccountIssuers?: readonly string[];
  /** AnonymousAuthConfigurableEndpoints; default: off in 1.31, on from 1.32. */
  anonymousGate?: boolean;
}

export interface ValidationResult {
  errors: ValidationError[];
  /** Each error as kube-apiserver renders it. */
  messages: string[];
  /** The aggregate (`invalid authentication configuration: <this>`), or undefined when valid. */
  error?: string;
}

const EMAIL_RULE =
  'claims.email_verified must be used in claimMappings.username.expression or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claims.email is used in claimMappings.username.expression';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;
const HTTP_PATH_MESSAGE = "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')";

/** Validates a decoded configuration; `prefix` is `jwt` for the whole file. */
export function validateAuthenticationConfiguration(
  config: AuthenticationConfiguration,
  options: ValidateOptions,
): ValidationResult {
  const m = minor(options.version);
  const errors: ValidationError[] = [];
  const jwt = config.jwt ?? [];
  if (jwt.length > MAX_JWT_AUTHENTICATORS) {
    errors.push(tooMany('jwt', jwt.length, MAX_JWT_AUTHENTICATORS));
    return finish(errors, m);
  }
  const disallowed = new Set(options.serviceAccountIssuers ?? []);
  const seenIssuers = new Set<string>();
  const seenDiscovery = new Set<string>();
  jwt.forEach((a, i) => {
    errors.push(...validateJWTAuthenticator(a, `jwt[${i}]`, disallowed, options.version));
    const url = a.issuer?.url ?? '';
    if (seenIssuers.has(url)) errors.push(duplicate(`jwt[${i}].issuer.url`, url));
    seenIssuers.add(url);
    const d = a.issuer?.discoveryURL ?? '';
    if (d) {
      if (seenDiscovery.has(d)) errors.push(duplicate(`jwt[${i}].issuer.discoveryURL`, d));
      seenDiscovery.add(d);
    }
  });
  if (config.anonymous) {
    const gate = options.anonymousGate ?? m >= 32;
    if (!gate)
      errors.push(
        forbidden(
          'anonymous',
          'anonymous is not supported when AnonymousAuthConfigurableEnpoints feature gate is disabled',
        ),
      );
    const conditions = config.anonymous.conditions ?? [];
    if (!config.anonymous.enabled && conditions.length > 0) {
      const paths = conditions.map((c) => c.path ?? '');
      errors.push(
        invalid(
          'anonymous.conditions',
          {
            goSyntax: `[]apiserver.AnonymousAuthCondition{${paths.map((p) => `apiserver.AnonymousAuthCondition{Path:${goQuote(p)}}`).join(', ')}}`,
            json: JSON.stringify(paths.map((p) => ({ Path: p }))),
          },
          'enabled should be set to true when conditions are defined',
        ),
      );
    }
  }
  return finish(errors, m);
}

function finish(errors: ValidationError[], m: number): ValidationResult {
  const messages = errors.map((e) => renderFieldError(e, m));
  return { errors, messages, ...(messages.length ? { error: aggregate(messages) } : {}) };
}

/** One authenticator's checks, in kube-apiserver's order. `path` is `jwt[i]` (or '' at authenticator build). */
export function validateJWTAuthenticator(
  a: JWTAuthenticator,
  path: string,
  disallowed: ReadonlySet<string>,
  version: string,
): ValidationError[] {
  const m = minor(version);
  const p = (s: string) => (path ? `${path}.${s}` : s);
  const errs: ValidationError[] = [];
  const issuer = a.issuer ?? {};
  const url = issuer.url ?? '';

  // issuer.url
  if (!url) errs.push(required(p('issuer.url'), m >= 34 ? '' : 'URL is required'));
  else {
    if (disallowed.has(url))
      errs.push(
        invalid(
          p('issuer.url'),
          url,
          `URL must not overlap with disallowed issuers: [${[...disallowed].sort().join(' ')}]`,
        ),
      );
    errs.push(...validateURL(url, p('issuer.url')));
  }
  // issuer.discoveryURL
  const discovery = issuer.discoveryURL ?? '';
  if (discovery) {
    if (url && url.replace(/\/+$/, '') === discovery.replace(/\/+$/, ''))
      errs.push(invalid(p('issuer.discoveryURL'), discovery, 'discoveryURL must be different from URL'));
    errs.push(...validateURL(discovery, p('issuer.discoveryURL')));
  }
  // audiences
  const audiences = issuer.audiences ?? [];
  const policy = issuer.audienceMatchPolicy ?? '';
  if (audiences.length === 0)
    errs.push(required(p('issuer.audiences'), `at least one ${p('issuer.audiences')} is required`));
  else {
    const seen = new Set<string>();
    audiences.forEach((aud, k) => {
      const f = p(`issuer.audiences[${k}]`);
      if (!aud) errs.push(required(f, m >= 34 ? '' : "audience can't be empty"));
      if (seen.has(aud)) errs.push(duplicate(f, aud));
      seen.add(aud);
    });
    if (audiences.length > 1 && policy !== 'MatchAny')
      errs.push(
        invalid(p('issuer.audienceMatchPolicy'), policy, 'audienceMatchPolicy must be MatchAny for multiple audiences'),
      );
    if (audiences.length === 1 && policy !== '' && policy !== 'MatchAny')
      errs.push(
        invalid(
          p('issuer.audienceMatchPolicy'),
          policy,
          'audienceMatchPolicy must be empty or MatchAny for single audience',
        ),
      );
  }
  // certificateAuthority
  if (issuer.certificateAuthority) {
    const caError = checkCertificates(issuer.certificateAuthority);
    if (caError) errs.push(invalid(p('issuer.certificateAuthority'), '<omitted>', caError));
  }
  // egressSelectorType (1.34; earlier versions reject the field when decoding)
  const egress = issuer.egressSelectorType ?? '';
  if (egress && egress !== 'controlplane' && egress !== 'cluster')
    errs.push(
      invalid(p('issuer.egressSelectorType'), egress, 'egress selector must be either controlplane or cluster'),
    );

  // claimValidationRules
  const emailVerifiedSources: Program[] = [];
  const seenClaims = new Set<string>();
  const seenExpressions = new Set<string>();
  (a.claimValidationRules ?? []).forEach((rule, k) => {
    const f = p(`claimValidationRules[${k}]`);
    const claim = rule.claim ?? '';
    const expression = rule.expression ?? '';
    if (claim && expression) errs.push(invalid(f, claim, "claim and expression can't both be set"));
    else if (!claim && !expression) errs.push(required(f, 'claim or expression is required'));
    else if (claim) {
      if (rule.message)
        errs.push(
          invalid(
            `${f}.message`,
            rule.message,
            m >= 34 ? 'may not be specified when claim is set' : "message can't be set when claim is set",
          ),
        );
      if (seenClaims.has(claim)) errs.push(duplicate(`${f}.claim`, claim));
      seenClaims.add(claim);
    } else {
      if (rule.requiredValue)
        errs.push(
          invalid(
            `${f}.requiredValue`,
            rule.requiredValue,
            m >= 34
              ? 'may not be specified when expression is set'
              : "requiredValue can't be set when expression is set",
          ),
        );
      if (seenExpressions.has(expression)) {
        errs.push(duplicate(`${f}.expression`, expression));
        return;
      }
      seenExpressions.add(expression);
      const c = compiled(expression, `${f}.expression`, version, 'claims', true, errs);
      if (c) emailVerifiedSources.push(c);
    }
  });

  // claimMappings
  const mappings = a.claimMappings ?? {};
  const username = prefixedClaimOrExpression(mappings.username ?? {}, p('claimMappings.username'), true, version);
  errs.push(...username.errors);
  const groups = prefixedClaimOrExpression(mappings.groups ?? {}, p('claimMappings.groups'), false, version);
  errs.push(...groups.errors);
  const uid = mappings.uid ?? {};
  if (uid.claim && uid.expression)
    errs.push(invalid(p('claimMappings.uid'), '', "claim and expression can't both be set"));
  else if (uid.expression) compiled(uid.expression, p('claimMappings.uid.expression'), version, 'claims', false, errs);

  const seenKeys = new Set<string>();
  (mappings.extra ?? []).forEach((extra, k) => {
    const f = p(`claimMappings.extra[${k}]`);
    const key = extra.key ?? '';
    if (!key) errs.push(required(`${f}.key`));
    else {
      errs.push(...domainPrefixedPath(`${f}.key`, key));
      if (key !== key.toLowerCase())
        errs.push(invalid(`${f}.key`, key, m >= 34 ? 'must be lowercase' : 'key must be lowercase'));
      if (m >= 32 && isKubernetesDomain(key))
        errs.push(
          invalid(`${f}.key`, key, 'k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use'),
        );
      if (seenKeys.has(key)) {
        errs.push(duplicate(`${f}.key`, key));
        return;
      }
      seenKeys.add(key);
    }
    if (!extra.valueExpression) {
      errs.push(required(`${f}.valueExpression`, m >= 34 ? '' : 'valueExpression is required'));
      return;
    }
    const c = compiled(extra.valueExpression, `${f}.valueExpression`, version, 'claims', false, errs);
    if (c) emailVerifiedSources.push(c);
  });

  if (username.program && username.errors.length === 0 && usesClaim(username.program, 'email')) {
    const sources = [username.program, ...emailVerifiedSources];
    if (!sources.some((s) => usesClaim(s, 'email_verified')))
      errs.push(invalid(p('claimMappings.username.expression'), mappings.username?.expression ?? '', EMAIL_RULE));
  }

  // userValidationRules
  const seenUserRules = new Set<string>();
  (a.userValidationRules ?? []).forEach((rule, k) => {
    const f = p(`userValidationRules[${k}].expression`);
    const expression = rule.expression ?? '';
    if (!expression) {
      errs.push(required(f, m >= 34 ? '' : 'expression is required'));
      return;
    }
    if (seenUserRules.has(expression)) {
      errs.push(duplicate(f, expression));
      return;
    }
    seenUserRules.add(expression);
    compiled(expression, f, version, 'user', true, errs);
  });
  return errs;
}

function compiled(
  expression: string,
  field: string,
  version: string,
  use: CelUse,
  bool: boolean,
  errs: ValidationError[],
): Program | undefined {
  const c = compileRule(expression, version, use, bool);
  if (c.ok) return c.program;
  errs.push({ ...invalid(field, expression, c.detail), cel: { expression, issues: c.issues } });
  return undefined;
}

function prefixedClaimOrExpression(
  mapping: PrefixedClaimOrExpression,
  field: string,
  isRequired: boolean,
  version: string,
): { errors: ValidationError[]; program?: Program } {
  const errors: ValidationError[] = [];
  const m = minor(version);
  if (mapping.expression && mapping.claim) errors.push(invalid(field, '', "claim and expression can't both be set"));
  else if (!mapping.expression && !mapping.claim) {
    if (isRequired) errors.push(required(field, 'claim or expression is required'));
  } else if (mapping.expression) {
    if (mapping.prefix !== undefined && mapping.prefix !== null)
      errors.push(
        invalid(
          `${field}.prefix`,
          mapping.prefix,
          m >= 34 ? 'may not be specified when expression is set' : "prefix can't be set when expression is set",
        ),
      );
    const program = compiled(mapping.expression, `${field}.expression`, version, 'claims', false, errors);
    return { errors, ...(program ? { program } : {}) };
  } else if (mapping.prefix === undefined || mapping.prefix === null)
    errors.push(
      required(
        `${field}.prefix`,
        'prefix is required when claim is set. It can be set to an empty string to disable prefixing',
      ),
    );
  return { errors };
}

function validateURL(raw: string, field: string): ValidationError[] {
  const parsed = parseGoURL(raw);
  if (!parsed.ok) return [invalid(field, raw, parsed.error)];
  const u = parsed.url;
  const errs: ValidationError[] = [];
  if (u.scheme !== 'https') errs.push(invalid(field, raw, 'URL scheme must be https'));
  if (u.hasUser) errs.push(invalid(field, raw, 'URL must not contain a username or password'));
  if (u.rawQuery) errs.push(invalid(field, raw, 'URL must not contain a query'));
  if (u.fragment) errs.push(invalid(field, raw, 'URL must not contain a fragment'));
  return errs;
}

/** apimachinery IsDomainPrefixedPath. */
function domainPrefixedPath(field: string, key: string): ValidationError[] {
  const slash = key.indexOf('/');
  const host = slash >= 0 ? key.slice(0, slash) : key;
  const path = slash >= 0 ? key.slice(slash + 1) : '';
  if (slash < 0 || !host || !path)
    return [invalid(field, key, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs: ValidationError[] = [];
  if (host.length > 253) errs.push(invalid(field, host, 'must be no more than 253 characters'));
  if (!DNS1123_SUBDOMAIN.test(host)) errs.push(invalid(field, host, DNS1123_MESSAGE));
  if (!HTTP_PATH.test(path)) errs.push(invalid(field, path, HTTP_PATH_MESSAGE));
  return errs;
}

function isKubernetesDomain(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const host = key.slice(0, slash);
  return host === 'kubernetes.io' || host.endsWith('.kubernetes.io') || host === 'k8s.io' || host.endsWith('.k8s.io');
}

/** certutil.NewPoolFromBytes, approximately: at least one well-formed PEM CERTIFICATE block holding DER. */
function checkCertificates(pem: string): string | undefined {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)];
  let certs = 0;
  for (const b of blocks) {
    if (b[1] !== 'CERTIFICATE') continue;
    const body = b[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) continue;
    let der: string;
    try {
      der = atob(body);
    } catch {
      continue;
    }
    if (der.charCodeAt(0) !== 0x30) return 'x509: malformed certificate';
    certs++;
  }
  return certs ? undefined : 'data does not contain any valid RSA or ECDSA certificates';
}
