// The JSON Schema the authentication page's configuration editor validates and completes with: the
// AuthenticationConfiguration of the chosen Kubernetes version, accepting every apiVersion that version serves.
import {
  AUTHENTICATION_GROUP,
  authenticationConfigurationData,
  authenticationVersions,
} from '../../k8s/openapi/authentication-configuration.ts';
import { openApiFrom } from '../../k8s/openapi/index.ts';
import { toJsonSchema, type JsonSchema } from '../../k8s/openapi/json-schema.ts';
import type { KubeVersion } from '../state.ts';

export function authenticationConfigurationSchema(version: KubeVersion): JsonSchema {
  const versions = authenticationVersions(version);
  const api = openApiFrom(authenticationConfigurationData(version));
  // Every served version shares one definition; only the apiVersion constant differs.
  const schema = toJsonSchema(api, {
    group: AUTHENTICATION_GROUP,
    version: versions[versions.length - 1]!,
    kind: 'AuthenticationConfiguration',
  });
  if (!schema?.properties) throw new Error(`no AuthenticationConfiguration schema for Kubernetes ${version}`);
  return {
    ...schema,
    properties: {
      ...schema.properties,
      apiVersion: { type: 'string', enum: versions.map((v) => `${AUTHENTICATION_GROUP}/${v}`) },
    },
  };
}
