import type { KubernetesVersion } from './versions.ts';
import type { OpenApiData, Schema } from './types.ts';

// AuthenticationConfiguration (apiserver.config.k8s.io) is a file format read by kube-apiserver, not a
// served resource, so it is absent from the OpenAPI documents. Written by hand from the Go types of
// k8s.io/apiserver pkg/apis/apiserver/{v1alpha1,v1beta1,v1}/types.go (json tags, omitempty, pointers)
// and the version history of the structured authentication spec: v1alpha1 and v1beta1 from 1.30,
// `anonymous` from 1.31, `issuer.egressSelectorType` and v1 from 1.34. All versions share one shape.

export const AUTHENTICATION_GROUP = 'apiserver.config.k8s.io';
const P = 'io.k8s.apiserver.pkg.apis.apiserver.';

const str = (description: string): Schema => ({ type: 'string', description });
const list = (items: Schema, description: string): Schema => ({
  type: 'array',
  items,
  'x-kubernetes-list-type': 'atomic',
  description,
});
const ref = (name: string, description: string): Schema => ({ $ref: P + name, description });

function definitions(version: KubernetesVersion): Record<string, Schema> {
  const minor = Number(version.split('.')[1]);
  const issuer: Record<string, Schema> = {
    url: str('URL of the provider that allows the API server to discover public signing keys; must use https.'),
    discoveryURL: str('Overrides the URL used to fetch discovery information; "" and absent are the same.'),
    certificateAuthority: str('PEM encoded CA certificates used to validate the connection to the discovery URL.'),
    audiences: list({ type: 'string' }, 'The set of acceptable audiences the JWT must be issued to.'),
    audienceMatchPolicy: {
      type: 'string',
      enum: ['MatchAny'],
      description: 'How the "audiences" field is matched against the "aud" claim.',
    },
  };
  if (minor >= 34) {
    issuer['egressSelectorType'] = {
      type: 'string',
      enum: ['controlplane', 'cluster'],
      description: 'The egress selector used for discovery and JWKS requests.',
    };
  }
  const root: Record<string, Schema> = {
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
    kind: str('Kind is a string value representing the REST resource this object represents.'),
    jwt: list(ref('JWTAuthenticator', ''), 'JWT authenticators; each issuer URL must be unique.'),
  };
  if (minor >= 31) root['anonymous'] = ref('AnonymousAuthConfig', 'Configures the anonymous authenticator.');
  const defs: Record<string, Schema> = {
    [P + 'AuthenticationConfiguration']: {
      type: 'object',
      description: 'AuthenticationConfiguration provides versioned configuration for authentication.',
      required: ['jwt'],
      properties: root,
    },
    [P + 'JWTAuthenticator']: {
      type: 'object',
      description: 'JWTAuthenticator provides the configuration for a single JWT authenticator.',
      required: ['issuer', 'claimMappings'],
      properties: {
        issuer: ref('Issuer', 'Basic OIDC provider connection options.'),
        claimValidationRules: list(ref('ClaimValidationRule', ''), 'Rules applied to validate token claims.'),
        claimMappings: ref('ClaimMappings', 'Maps token claims to user attributes.'),
        userValidationRules: list(
          ref('UserValidationRule', ''),
          'Rules applied to the final user before completing authentication.',
        ),
      },
    },
    [P + 'Issuer']: {
      type: 'object',
      description: "Issuer provides the configuration for an external provider's specific settings.",
      required: ['url', 'audiences'],
      properties: issuer,
    },
    [P + 'ClaimValidationRule']: {
      type: 'object',
      description: 'ClaimValidationRule provides the configuration for a single claim validation rule.',
      properties: {
        claim: str('Name of a required claim (with requiredValue).'),
        requiredValue: str('Value of the required claim.'),
        expression: str('CEL expression that must evaluate to true; `claims` holds the token claims.'),
        message: str('Message shown when the expression evaluates to false.'),
      },
    },
    [P + 'ClaimMappings']: {
      type: 'object',
      description: 'ClaimMappings provides the configuration for claim mapping.',
      required: ['username'],
      properties: {
        username: ref('PrefixedClaimOrExpression', 'The attribute for the username.'),
        groups: ref('PrefixedClaimOrExpression', 'The attribute for the groups.'),
        uid: ref('ClaimOrExpression', 'The attribute for the uid.'),
        extra: list(ref('ExtraMapping', ''), 'The attributes for extra.'),
      },
    },
    [P + 'PrefixedClaimOrExpression']: {
      type: 'object',
      description: 'PrefixedClaimOrExpression provides the configuration for a single prefixed claim or expression.',
      properties: {
        claim: str('The JWT claim to use; mutually exclusive with expression.'),
        prefix: str('Prepended to the claim\'s value; required (may be "") when claim is set.'),
        expression: str('CEL expression giving a string (username) or string list (groups).'),
      },
    },
    [P + 'ClaimOrExpression']: {
      type: 'object',
      description: 'ClaimOrExpression provides the configuration for a single claim or expression.',
      properties: {
        claim: str('The JWT claim to use; mutually exclusive with expression.'),
        expression: str('CEL expression giving a string.'),
      },
    },
    [P + 'ExtraMapping']: {
      type: 'object',
      description: 'ExtraMapping provides the configuration for a single extra mapping.',
      required: ['key', 'valueExpression'],
      properties: {
        key: str('Domain-prefixed, lowercase key of the extra attribute.'),
        valueExpression: str('CEL expression giving a string or string list.'),
      },
    },
    [P + 'UserValidationRule']: {
      type: 'object',
      description: 'UserValidationRule provides the configuration for a single user info validation rule.',
      required: ['expression'],
      properties: {
        expression: str('CEL expression that must evaluate to true; `user` holds the user info.'),
        message: str('Message shown when the expression evaluates to false.'),
      },
    },
  };
  if (minor >= 31) {
    defs[P + 'AnonymousAuthConfig'] = {
      type: 'object',
      description: 'AnonymousAuthConfig provides the configuration for the anonymous authenticator.',
      required: ['enabled'],
      properties: {
        enabled: { type: 'boolean', description: 'Whether anonymous requests are allowed.' },
        conditions: list(
          ref('AnonymousAuthCondition', ''),
          'Request paths anonymous requests are allowed for (exact match).',
        ),
      },
    };
    defs[P + 'AnonymousAuthCondition'] = {
      type: 'object',
      description: 'AnonymousAuthCondition describes the condition under which anonymous auth should be enabled.',
      required: ['path'],
      properties: { path: str('Path for which anonymous auth is enabled.') },
    };
  }
  return defs;
}

/** The versions kube-apiserver registers for AuthenticationConfiguration. */
export function authenticationVersions(version: KubernetesVersion): string[] {
  return Number(version.split('.')[1]) >= 34 ? ['v1alpha1', 'v1beta1', 'v1'] : ['v1alpha1', 'v1beta1'];
}

/** AuthenticationConfiguration as OpenAPI data of its own, in the shape of the generated files. */
export function authenticationConfigurationData(version: KubernetesVersion): OpenApiData {
  const kinds: Record<string, string> = {};
  for (const v of authenticationVersions(version)) {
    kinds[`${AUTHENTICATION_GROUP}/${v}/AuthenticationConfiguration`] = P + 'AuthenticationConfiguration';
  }
  return {
    kubernetes: version,
    source: 'hand-written from k8s.io/apiserver pkg/apis/apiserver types.go',
    kinds,
    definitions: definitions(version),
  };
}
