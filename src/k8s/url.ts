// The exec/attach URL exactly as kubectl builds it (exec-protocol.md §1.2): Go's url.Values.Encode of
// PodExecOptions / PodAttachOptions — keys sorted, `command` repeated in argv order, true booleans as `true`,
// false ones omitted, spaces as `+`, everything but [A-Za-z0-9-_.~] percent-encoded with upper-case hex.
import type { ExecOptions, StreamingSubresource } from './types.ts';

/** `/api/v1/namespaces/<ns>/pods/<pod>/<exec|attach>?<query>`; prefix it with the cluster's base URL. */
export function streamingPath(
  namespace: string,
  pod: string,
  subresource: StreamingSubresource,
  options: ExecOptions,
): string {
  if (!namespace) throw new Error('a namespace is required for pods/' + subresource);
  if (!pod) throw new Error('a pod name is required for pods/' + subresource);
  const query = streamingQuery(subresource, options);
  return `/api/v1/namespaces/${pathSegment(namespace)}/pods/${pathSegment(pod)}/${subresource}?${query}`;
}

/** The query string alone (no `?`). */
export function streamingQuery(subresource: StreamingSubresource, options: ExecOptions): string {
  const values: Array<[string, string]> = [];
  if (subresource === 'exec') {
    // kubectl's own wording for an exec without a command.
    if (!options.command || options.command.length === 0) {
      throw new Error('you must specify at least one command for the container');
    }
    for (const arg of options.command) values.push(['command', arg]);
  } else if (options.command !== undefined) {
    throw new Error('attach takes no command: it joins the container’s main process');
  }
  if (options.container) values.push(['container', options.container]);
  for (const key of ['stderr', 'stdin', 'stdout', 'tty'] as const) if (options[key]) values.push([key, 'true']);
  // A stable sort by key keeps repeated `command` values in argv order, as url.Values does.
  values.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return values.map(([k, v]) => `${queryEscape(k)}=${queryEscape(v)}`).join('&');
}

/** Go's url.QueryEscape. */
export function queryEscape(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// Object names are DNS labels/subdomains, so this never changes a valid name; it only keeps a bad one from
// escaping its path segment.
function pathSegment(name: string): string {
  return encodeURIComponent(name);
}
