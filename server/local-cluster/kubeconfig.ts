// A kubeconfig for the local cluster so real kubectl can talk to it: embedded CA, the admin token, context
// "porthole-local", namespace "default". Written 0600: it holds a credential.
import { writeFile, chmod } from 'node:fs/promises';
import { stringify } from 'yaml';

export const CONTEXT_NAME = 'porthole-local';

export function kubeconfigYaml(server: string, caPem: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: CONTEXT_NAME, cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } },
    ],
    users: [{ name: `${CONTEXT_NAME}-admin`, user: { token } }],
    contexts: [
      { name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: `${CONTEXT_NAME}-admin`, namespace: 'default' } },
    ],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}

export async function writeKubeconfigFile(file: string, server: string, caPem: string, token: string): Promise<void> {
  await writeFile(file, kubeconfigYaml(server, caPem, token), { mode: 0o600 });
  await chmod(file, 0o600);
}
