// The token editor's text read as a compact JWT, for display and precise markers: the decoded header and claims
// whenever they decode, and for a malformed token the exact part and character that is wrong. What kube-apiserver
// then does with the token (ignore it, or fail it as malformed) is the core's business, not this file's.

import { decodeRawURL, MAX_TOKEN_BYTES, SUPPORTED_ALGORITHMS, utf8 } from '../../policy/authn/jwt.ts';

export interface TokenProblem {
  message: string;
  /** Offsets in the editor text. */
  from: number;
  to: number;
  severity: 'error' | 'warning';
}

export interface DecodedToken {
  /** The token kube-apiserver would be given (surrounding white space and a pasted `Bearer ` removed). */
  token: string;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  problems: TokenProblem[];
  /** A problem that keeps the token from being sent at all (too large, white space inside). */
  unusable?: string;
}

const PART_NAMES = ['header (part 1)', 'payload (part 2)', 'signature (part 3)'];

export function decodeToken(text: string): DecodedToken {
  const problems: TokenProblem[] = [];
  let start = text.length - text.trimStart().length;
  let token = text.trim();
  const bearer = /^bearer\s+/i.exec(token);
  if (bearer) {
    problems.push({
      message: 'this is the Authorization header value: the token is what follows "Bearer " (ignored here)',
      from: start,
      to: start + bearer[0].length,
      severity: 'warning',
    });
    start += bearer[0].length;
    token = token.slice(bearer[0].length);
  }
  if (token.length > MAX_TOKEN_BYTES) {
    const unusable = `the token is ${token.length} bytes: kube-apiserver refuses request headers over ${MAX_TOKEN_BYTES} bytes (431 Request Header Fields Too Large) before any authenticator runs`;
    problems.push({ message: unusable, from: start, to: start + 1, severity: 'error' });
    return { token, problems, unusable };
  }
  const space = /\s/.exec(token);
  if (space) {
    const unusable = `white space inside the token at offset ${space.index}: a bearer token is one unbroken string (was it wrapped when copied?)`;
    problems.push({ message: unusable, from: start + space.index, to: start + space.index + 1, severity: 'error' });
    return { token, problems, unusable };
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    problems.push({
      message:
        parts.length === 5
          ? 'this is an encrypted JWT (JWE, 5 parts): kube-apiserver accepts only signed JWTs (header.payload.signature)'
          : `a compact JWT has 3 parts separated by "." (header.payload.signature); this has ${parts.length}`,
      from: start,
      to: start + Math.max(1, token.length),
      severity: 'error',
    });
    return { token, problems };
  }
  const partStart = [0, parts[0]!.length + 1, parts[0]!.length + parts[1]!.length + 2].map((x) => start + x);
  const decoded = [0, 1].map((i) => {
    const part = parts[i]!;
    const at = partStart[i]!;
    const name = PART_NAMES[i]!;
    const problem = (message: string, from = at, to = at + Math.max(1, part.length)) => {
      problems.push({ message: `the ${name} ${message}`, from, to, severity: 'error' });
      return undefined;
    };
    if (part === '') return problem('is empty');
    const bad = part.search(/[^A-Za-z0-9_-]/);
    if (bad >= 0) {
      const c = part[bad]!;
      return problem(
        c === '='
          ? 'has "=" padding: JWTs use base64url without padding'
          : `is not base64url: ${JSON.stringify(c)} at offset ${bad}${c === '+' || c === '/' ? ' (standard base64; JWTs use - and _)' : ''}`,
        at + bad,
        at + bad + 1,
      );
    }
    const bytes = decodeRawURL(part);
    if (!bytes) return problem(`has a length (${part.length}) no base64url text can have`);
    let value: unknown;
    try {
      value = JSON.parse(utf8(bytes));
    } catch (e) {
      return problem(`does not decode to JSON: ${(e as Error).message}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return problem(
        `decodes to ${Array.isArray(value) ? 'a JSON array' : `JSON ${JSON.stringify(value)}`}, not an object`,
      );
    return value as Record<string, unknown>;
  });
  const [header, claims] = decoded;
  if (header) {
    const alg = header.alg;
    if (!SUPPORTED_ALGORITHMS.includes(typeof alg === 'string' ? alg : ''))
      problems.push({
        message: `alg ${JSON.stringify(alg ?? null)}: kube-apiserver accepts only ${SUPPORTED_ALGORITHMS.join(', ')}`,
        from: partStart[0]!,
        to: partStart[0]! + parts[0]!.length,
        severity: 'error',
      });
  }
  if (parts[2] === '')
    problems.push({
      message: 'the signature (part 3) is empty: an unsigned token never verifies',
      from: partStart[2]! - 1,
      to: partStart[2]!,
      severity: 'error',
    });
  return { token, ...(header ? { header } : {}), ...(claims ? { claims } : {}), problems };
}
