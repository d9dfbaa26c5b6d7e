import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { authenticationConfigurationSchema } from './config-schema.ts';
import type { KubeVersion } from '../state.ts';

const jwt = [
  {
    issuer: { url: 'https://issuer.example.com', audiences: ['my-app'] },
    claimMappings: { username: { claim: 'sub', prefix: '' } },
  },
];

function validate(version: KubeVersion, config: unknown): string[] {
  const check = new Ajv({ allErrors: true }).compile(authenticationConfigurationSchema(version));
  check(config);
  return (check.errors ?? []).map((e) => `${e.dataPath} ${e.message}`);
}

describe('the configuration editor schema', () => {
  const cases: { name: string; version: KubeVersion; config: unknown; errors: string[] }[] = [
    {
      name: '1.34 serves v1',
      version: '1.34',
      config: { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthenticationConfiguration', jwt },
      errors: [],
    },
    {
      name: '1.34 still serves v1beta1',
      version: '1.34',
      config: { apiVersion: 'apiserver.config.k8s.io/v1beta1', kind: 'AuthenticationConfiguration', jwt },
      errors: [],
    },
    {
      name: '1.33 does not serve v1',
      version: '1.33',
      config: { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthenticationConfiguration', jwt },
      errors: ['.apiVersion should be equal to one of the allowed values'],
    },
    {
      name: 'an unknown field is refused, as strict decoding does',
      version: '1.34',
      config: {
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'AuthenticationConfiguration',
        jwt: [{ ...jwt[0], issuer: { ...jwt[0]!.issuer, audience: 'typo' } }],
      },
      errors: ['.jwt[0].issuer should NOT have additional properties'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(validate(c.version, c.config)).toEqual(c.errors));
  }
});
