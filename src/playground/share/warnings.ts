// What the "copy link" button warns about before a state leaves the machine in a URL: links long enough that
// chat tools and browsers cut them, and texts that look like credentials.

import type { PlaygroundState } from '../state.ts';

/** Many chat tools, mail clients and older browsers cut URLs around this length. */
export const LONG_LINK_CHARS = 8000;

const SECRET_PATTERNS: { what: string; pattern: RegExp }[] = [
  { what: 'a signed JWT', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/ },
  { what: 'a private key', pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/ },
  // A JWK's private parts: "d" (EC/RSA/OKP private exponent) next to a "kty".
  { what: 'a private JWK', pattern: /["']?kty["']?\s*:[\s\S]{0,2000}?["']?\bd["']?\s*:\s*["']?[A-Za-z0-9_-]{16,}/ },
  { what: 'a bearer token', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{16,}/i },
  {
    what: 'a password or client secret',
    pattern: /\b(?:password|passwd|client[-_]?secret|secret[-_]?key|api[-_]?key)["']?\s*[:=]\s*["']?[^\s"']{6,}/i,
  },
  { what: 'a Kubernetes service account token', pattern: /\btoken["']?\s*:\s*["']?[A-Za-z0-9._-]{40,}/ },
];

export interface LinkWarnings {
  long?: string;
  secrets: { doc: string; what: string }[];
}

export function linkWarnings(state: PlaygroundState, link: string): LinkWarnings {
  const secrets: { doc: string; what: string }[] = [];
  for (const [doc, text] of Object.entries(state.docs)) {
    for (const { what, pattern } of SECRET_PATTERNS) if (pattern.test(text)) secrets.push({ doc, what });
  }
  const warnings: LinkWarnings = { secrets };
  if (link.length > LONG_LINK_CHARS) {
    warnings.long = `This link is ${link.length.toLocaleString('en-US')} characters long; many chat tools and browsers cut links longer than ${LONG_LINK_CHARS.toLocaleString('en-US')}.`;
  }
  return warnings;
}
