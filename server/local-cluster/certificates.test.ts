// The CA and serving certificate minted at start-up: a chain Node's (and Go's) X.509 code accepts for the
// loopback names, with the CA marked as a CA.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createServingCertificates } from './certificates.ts';

describe('createServingCertificates', () => {
  const { caPem, certPem, keyPem } = createServingCertificates();
  const ca = new X509Certificate(caPem);
  const cert = new X509Certificate(certPem);

  it('signs the serving certificate with the CA', () => {
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
  });

  it.each([
    ['IP 127.0.0.1', () => cert.checkIP('127.0.0.1'), '127.0.0.1'],
    ['IP ::1', () => cert.checkIP('::1'), '::1'],
    ['host localhost', () => cert.checkHost('localhost'), 'localhost'],
    ['not another host', () => cert.checkHost('example.com') ?? null, null],
  ])('is valid for %s', (_name, check, expected) => {
    expect(check()).toBe(expected);
  });

  it('is valid now, for a year', () => {
    const now = Date.now();
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(now + 360 * 86_400_000);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('returns a PKCS#8 key matching the certificate', () => {
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
  });

  it('mints fresh keys and serials each time', () => {
    const again = new X509Certificate(createServingCertificates().certPem);
    expect(again.serialNumber).not.toBe(cert.serialNumber);
    expect(again.publicKey.export({ type: 'spki', format: 'der' })).not.toEqual(
      cert.publicKey.export({ type: 'spki', format: 'der' }),
    );
  });
});
