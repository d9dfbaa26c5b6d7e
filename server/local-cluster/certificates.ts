// A throw-away certificate authority and a serving certificate for 127.0.0.1/localhost/::1, minted at start-up.
// kubectl only sends credentials over TLS, and its kubeconfig carries the CA so it verifies the server properly.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
  type Der,
} from './der.ts';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

export interface ServingCertificates {
  /** PEM of the CA certificate (what a kubeconfig's certificate-authority-data carries). */
  caPem: string;
  /** PEM of the serving certificate. */
  certPem: string;
  /** PEM (PKCS#8) of the serving key. */
  keyPem: string;
}

interface Issuer {
  name: Der;
  key: KeyObject;
  keyId: Buffer;
}

const name = (commonName: string): Der =>
  sequence(
    set(sequence(objectIdentifier(OID.organization), utf8String('Porthole local cluster'))),
    set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))),
  );

function extension(oid: string, critical: boolean, value: Der): Der {
  return critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha1').update(spki).digest();
}

function certificate(options: {
  subject: Der;
  publicKey: KeyObject;
  issuer: Issuer | null; // null: self-signed
  signingKey: KeyObject;
  extensions: Der[];
  validDays: number;
}): string {
  const now = Date.now();
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serial),
    signatureAlgorithm,
    options.issuer ? options.issuer.name : options.subject,
    sequence(time(new Date(now - 60 * 60 * 1000)), time(new Date(now + options.validDays * 86_400_000))),
    options.subject,
    options.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...options.extensions)),
  );
  const signature = sign('sha256', tbs, options.signingKey);
  const der = sequence(tbs, signatureAlgorithm, bitString(signature));
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function ipAddressBytes(ip: string): Buffer {
  if (ip.includes(':')) {
    // Only the loopback forms we issue for; a general IPv6 parser is not needed here.
    if (ip !== '::1') throw new Error(`unsupported IPv6 address for the serving certificate: ${ip}`);
    const bytes = Buffer.alloc(16);
    bytes[15] = 1;
    return bytes;
  }
  return Buffer.from(ip.split('.').map(Number));
}

/** Mints a CA (ECDSA P-256) and a serving certificate for the given DNS names and IP addresses. */
export function createServingCertificates(
  hosts: { dnsNames: string[]; ipAddresses: string[] } = {
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
  },
): ServingCertificates {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caKeyId = keyIdentifier(ca.publicKey);
  const caName = name('porthole-local-ca');
  const caPem = certificate({
    subject: caName,
    publicKey: ca.publicKey,
    issuer: null,
    signingKey: ca.privateKey,
    validDays: 365,
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true))),
      // digitalSignature | keyCertSign | cRLSign
      extension(OID.keyUsage, true, bitString(Buffer.from([0x86]), 1)),
      extension(OID.subjectKeyIdentifier, false, octetString(caKeyId)),
    ],
  });

  const serving = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const altNames = [
    ...hosts.dnsNames.map((dns) => implicitPrimitive(2, Buffer.from(dns, 'ascii'))),
    ...hosts.ipAddresses.map((ip) => implicitPrimitive(7, ipAddressBytes(ip))),
  ];
  const certPem = certificate({
    subject: name('porthole-local-apiserver'),
    publicKey: serving.publicKey,
    issuer: { name: caName, key: ca.privateKey, keyId: caKeyId },
    signingKey: ca.privateKey,
    validDays: 365,
    extensions: [
      extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
      extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, caKeyId))),
      extension(OID.subjectAltName, false, sequence(...altNames)),
    ],
  });
  const keyPem = serving.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Sanity check that Node can read back what we produced (fails loudly on a DER mistake).
  createPublicKey(certPem);
  return { caPem, certPem, keyPem };
}
