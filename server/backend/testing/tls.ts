// Test-only: a throw-away CA and a serving certificate for 127.0.0.1, made with the system's openssl.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** A client certificate signed by the same CA (for client-certificate kubeconfigs). */
  clientCertPem: string;
  clientKeyPem: string;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-tls-'));
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=porthole-test-ca',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  );
  // A P-256 key and a certificate signed by the CA above, with the given subject and extensions.
  const issue = (name: string, subject: string, extensions: string) => {
    writeFileSync(f(`${name}.ext`), extensions);
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', ...key, '-subj', subject, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    openssl(
      ...['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial'],
      ...['-days', '2', '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`)],
    );
  };
  issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=alice/O=devs', 'extendedKeyUsage=clientAuth\n');
  const read = (name: string) => readFileSync(f(name), 'utf8');
  const certs = {
    caPem: read('ca.crt'),
    certPem: read('server.crt'),
    keyPem: read('server.key'),
    clientCertPem: read('client.crt'),
    clientKeyPem: read('client.key'),
  };
  rmSync(dir, { recursive: true, force: true });
  return certs;
}
