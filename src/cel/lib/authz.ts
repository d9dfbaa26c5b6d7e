// Kubernetes' authz library (1.27+; field and label selectors 1.31+, library/authz.go). Decisions come from an
// authorizer the caller supplies (the playground's mock); a check costs 350,000, so at most two fit one
// expression under the 1,000,000 per-call limit, as in kube-apiserver.

import { method, type CallContext, type Library } from '../decls.ts';
import { OpaqueValue, fail, type Value } from '../values.ts';

/** What one authorization check asks, in the words of authorizer.Attributes. */
export interface AuthorizationAttributes {
  user: string;
  groups: string[];
  verb: string;
  /** Non-resource requests. */
  path?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  fieldSelector?: string;
  labelSelector?: string;
}

export interface AuthorizationDecision {
  decision: 'allow' | 'deny' | 'noOpinion';
  reason?: string;
  /** An evaluation error of the authorizer (Decision.errored() / .error()). */
  error?: string;
}

export type Authorizer = (attributes: AuthorizationAttributes) => AuthorizationDecision;

export const CHECK_COST = 350_000;

export class AuthorizerValue extends OpaqueValue {
  readonly typeName = 'kubernetes.authorization.Authorizer';
  constructor(
    readonly user: string,
    readonly groups: string[],
  ) {
    super();
  }
  equals(o: OpaqueValue): boolean {
    return o === this;
  }
  toJSON(): string {
    return `authorizer(${this.user})`;
  }
}

export class PathCheckValue extends OpaqueValue {
  readonly typeName = 'kubernetes.authorization.PathCheck';
  constructor(
    readonly authorizer: AuthorizerValue,
    readonly path: string,
  ) {
    super();
  }
  equals(o: OpaqueValue): boolean {
    return o === this;
  }
  toJSON(): string {
    return `path(${this.path})`;
  }
}

export class GroupCheckValue extends OpaqueValue {
  readonly typeName = 'kubernetes.authorization.GroupCheck';
  constructor(
    readonly authorizer: AuthorizerValue,
    readonly group: string,
  ) {
    super();
  }
  equals(o: OpaqueValue): boolean {
    return o === this;
  }
  toJSON(): string {
    return `group(${this.group})`;
  }
}

export class ResourceCheckValue extends OpaqueValue {
  readonly typeName = 'kubernetes.authorization.ResourceCheck';
  constructor(
    readonly authorizer: AuthorizerValue,
    readonly attrs: Omit<AuthorizationAttributes, 'user' | 'groups' | 'verb'>,
  ) {
    super();
  }
  with(patch: Partial<ResourceCheckValue['attrs']>): ResourceCheckValue {
    return new ResourceCheckValue(this.authorizer, { ...this.attrs, ...patch });
  }
  equals(o: OpaqueValue): boolean {
    return o === this;
  }
  toJSON(): unknown {
    return this.attrs;
  }
}

export class DecisionValue extends OpaqueValue {
  readonly typeName = 'kubernetes.authorization.Decision';
  constructor(readonly decision: AuthorizationDecision) {
    super();
  }
  equals(o: OpaqueValue): boolean {
    return o instanceof DecisionValue && JSON.stringify(o.decision) === JSON.stringify(this.decision);
  }
  toJSON(): unknown {
    return this.decision;
  }
}

function decide(ctx: CallContext, attrs: AuthorizationAttributes): DecisionValue {
  const authorizer = ctx.authorizer as Authorizer | undefined;
  if (!authorizer) return new DecisionValue({ decision: 'noOpinion', error: 'no authorizer configured' });
  return new DecisionValue(authorizer(attrs));
}

const A = 'kubernetes.authorization.Authorizer';
const P = 'kubernetes.authorization.PathCheck';
const G = 'kubernetes.authorization.GroupCheck';
const R = 'kubernetes.authorization.ResourceCheck';
const D = 'kubernetes.authorization.Decision';
const rc = (v: Value) => v as ResourceCheckValue;
const dv = (v: Value) => (v as DecisionValue).decision;

export const authzLibrary: Library = {
  name: 'kubernetes authz',
  introduced: 27,
  overloads: [
    method(A, 'path', ['string'], P, ([a, p]) => new PathCheckValue(a as AuthorizerValue, p as string)),
    method(A, 'group', ['string'], G, ([a, g]) => new GroupCheckValue(a as AuthorizerValue, g as string)),
    method(A, 'serviceAccount', ['string', 'string'], A, ([, ns, name]) => {
      const user = `system:serviceaccount:${ns as string}:${name as string}`;
      return new AuthorizerValue(user, [
        'system:serviceaccounts',
        `system:serviceaccounts:${ns as string}`,
        'system:authenticated',
      ]);
    }),
    method(G, 'resource', ['string'], R, ([g, r]) => {
      const gc = g as GroupCheckValue;
      return new ResourceCheckValue(gc.authorizer, { group: gc.group, resource: r as string });
    }),
    method(R, 'subresource', ['string'], R, ([r, s]) => rc(r!).with({ subresource: s as string })),
    method(R, 'namespace', ['string'], R, ([r, s]) => rc(r!).with({ namespace: s as string })),
    method(R, 'name', ['string'], R, ([r, s]) => rc(r!).with({ name: s as string })),
    method(
      P,
      'check',
      ['string'],
      D,
      ([p, verb], ctx) => {
        const pc = p as PathCheckValue;
        if (pc.path === '') return fail('path must not be empty');
        return decide(ctx, {
          user: pc.authorizer.user,
          groups: pc.authorizer.groups,
          verb: verb as string,
          path: pc.path,
        });
      },
      () => CHECK_COST,
    ),
    method(
      R,
      'check',
      ['string'],
      D,
      ([r, verb], ctx) => {
        const c = rc(r!);
        if (!c.attrs.resource) return fail('resource must not be empty');
        return decide(ctx, { user: c.authorizer.user, groups: c.authorizer.groups, verb: verb as string, ...c.attrs });
      },
      () => CHECK_COST,
    ),
    method(D, 'allowed', [], 'bool', ([d]) => dv(d!).decision === 'allow'),
    method(D, 'reason', [], 'string', ([d]) => dv(d!).reason ?? ''),
    method(D, 'errored', [], 'bool', ([d]) => dv(d!).error !== undefined),
    method(D, 'error', [], 'string', ([d]) => dv(d!).error ?? ''),
  ],
};

export const authzSelectorsLibrary: Library = {
  name: 'kubernetes authz selectors',
  introduced: 31,
  overloads: [
    method(R, 'fieldSelector', ['string'], R, ([r, s]) => rc(r!).with({ fieldSelector: s as string })),
    method(R, 'labelSelector', ['string'], R, ([r, s]) => rc(r!).with({ labelSelector: s as string })),
  ],
};

export interface MockAuthorizerRule {
  match: Partial<Omit<AuthorizationAttributes, 'groups'>>;
  decision: AuthorizationDecision['decision'];
  reason?: string;
}

/**
 * A table-driven authorizer for the playground and the command line: the first rule whose fields all equal the
 * request's decides; otherwise the default (the admission vectors' `{default: allow|deny}`).
 */
export function mockAuthorizer(config: {
  default?: AuthorizationDecision['decision'];
  rules?: MockAuthorizerRule[];
}): Authorizer {
  return (attrs) => {
    for (const rule of config.rules ?? []) {
      const fields = Object.entries(rule.match) as [keyof AuthorizationAttributes, string][];
      if (fields.every(([k, v]) => attrs[k] === v)) return { decision: rule.decision, reason: rule.reason ?? '' };
    }
    return { decision: config.default ?? 'noOpinion', reason: '' };
  };
}
