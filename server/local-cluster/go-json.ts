// JSON bytes as Go's encoding/json writes them. Kubernetes marshals with Go, and a faithful server must produce
// the same bytes: Go escapes <, > and & (HTML safety) and U+2028/U+2029, which JSON.stringify leaves alone.
// Objects keep insertion order, which callers use to reproduce Go's struct field order.

const GO_EXTRA_ESCAPES = /[<>&\u2028\u2029]/g;

export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(GO_EXTRA_ESCAPES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
