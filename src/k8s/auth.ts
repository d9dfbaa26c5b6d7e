// The bearer-token WebSocket subprotocol the kube-apiserver accepts (exec-protocol.md §4.1): the prefix plus the
// token's UTF-8 bytes in base64url without padding (Go's base64.RawURLEncoding). Padding or standard base64
// gets a 401, and browsers refuse `=` and `/` in a subprotocol anyway. The browser app never uses this (its
// backend injects the credential); the Node connector and tests may.

export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

export function bearerTokenProtocol(token: string): string {
  if (!token) throw new Error('a bearer token must not be empty');
  return BEARER_PROTOCOL_PREFIX + base64RawUrl(new TextEncoder().encode(token));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** RFC 4648 §5 base64url without padding. */
export function base64RawUrl(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}
