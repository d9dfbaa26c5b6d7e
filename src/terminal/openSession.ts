// Binds a terminal tab to the channel-protocol client: builds the exec/attach URL under the backend, opens
// the socket offering v5 then v4 (or what the `?protocols=` page flag names), and maps ExecSession events onto
// the tab's SessionPort.
import { CHANNEL_PROTOCOLS, ExecSession, streamingQuery, type ExecOptions } from '../k8s/index.ts';
import type { SessionOpener } from './sessionPort.ts';
import { openChannelSocket } from './streamSocket.ts';
import { subresourcePath, type TerminalTarget } from './target.ts';

/** kubectl exec -it / attach -it: stdin, stdout and a TTY; no stderr, which a TTY merges into stdout (§7.4). */
export function terminalExecOptions(target: TerminalTarget): ExecOptions {
  return {
    command: target.mode === 'exec' ? target.command : undefined,
    container: target.container,
    stdin: true,
    stdout: true,
    stderr: false,
    tty: true,
  };
}

/** The same-origin URL of the session's WebSocket (ws: or wss: as the page). */
export function sessionUrl(target: TerminalTarget, pageLocation: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = pageLocation.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = streamingQuery(target.mode, terminalExecOptions(target));
  return `${scheme}//${pageLocation.host}${subresourcePath(target)}?${query}`;
}

/**
 * The subprotocols a tab offers, best first. By default v5 then v4, as kubectl ≥ 1.30 does. The page flag
 * `?protocols=v4` (comma-separated short names: `v5`, `v4`) offers only those, so the legacy v4 path can be
 * exercised against a server that would otherwise pick v5. Unknown names are left out with a warning; a flag that
 * names no known protocol leaves the default offer (a tab that offers nothing could not connect at all).
 */
export function offeredProtocols(search: string, warn: (message: string) => void = console.warn): readonly string[] {
  const flag = new URLSearchParams(search).get('protocols');
  if (flag === null) return CHANNEL_PROTOCOLS;
  const offered: string[] = [];
  for (const name of flag.split(',').map((n) => n.trim())) {
    const protocol = CHANNEL_PROTOCOLS.find((p) => p === `${name}.channel.k8s.io`);
    if (!protocol) warn(`?protocols=${flag}: unknown channel protocol "${name}" left out (known: v5, v4)`);
    else if (!offered.includes(protocol)) offered.push(protocol);
  }
  return offered.length > 0 ? offered : CHANNEL_PROTOCOLS;
}

export const openSession: SessionOpener = (target, { cols, rows }, handlers) => {
  const socket = openChannelSocket(sessionUrl(target, location), offeredProtocols(location.search));
  const session = new ExecSession(socket, {
    subresource: target.mode,
    stdin: true,
    tty: true,
    initialSize: { width: cols, height: rows },
  });
  session.on('open', (protocol) => handlers.onOpen(protocol));
  session.on('stdout', (bytes) => handlers.onOutput(bytes));
  session.on('stderr', (bytes) => handlers.onOutput(bytes));
  session.on('end', (end) => handlers.onEnd(end));
  return {
    sendStdin: (data) => void session.writeStdin(data),
    resize: (width, height) => void session.resize({ width, height }),
    hangUp: () => session.hangUp(),
    pause: socket.pause?.bind(socket),
    resume: socket.resume?.bind(socket),
  };
};
