// The WebSocket opening handshake as the Kubernetes streaming servers perform it (golang.org/x/net/websocket under
// apimachinery's wsstream): request checks with x/net's status codes and texts, subprotocol negotiation for the
// apiserver translator (v5) and the legacy CRI server, and the byte-exact 101 (exec-protocol §1.5, §1.6, §10.2).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WEBSOCKET_GUID } from '../../src/k8s/frames.ts';
import { LEGACY_PROTOCOLS, type ChannelProtocolName } from './channel-protocols.ts';

/**
 * - `apiserver`: a 1.30+ apiserver — any offer of v5 gets v5 (order irrelevant), anything else goes to the legacy path.
 * - `legacy`: only the CRI streaming server (an apiserver with the translator gate off).
 * - `old-cluster`: same as legacy; named for tests that exercise kubectl's SPDY fallback and v4 degradation.
 */
export type StreamingMode = 'apiserver' | 'legacy' | 'old-cluster';

export const V5_PROTOCOL = 'v5.channel.k8s.io';

export function websocketAccept(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
}

/** A raw handshake refusal: status line, optional extra header lines, and x/net's error text as body. */
export interface HandshakeRefusal {
  bytes: Buffer;
}

function refusal(code: number, text: string, extraHeaders = '', body = ''): HandshakeRefusal {
  return { bytes: Buffer.from(`HTTP/1.1 ${code} ${text}\r\n${extraHeaders}\r\n${body}`, 'latin1') };
}

/** x/net's ReadHandshake checks, in its order; null when the request is a valid WebSocket handshake. */
export function checkHandshakeRequest(request: IncomingMessage): HandshakeRefusal | null {
  if (request.method !== 'GET') return refusal(405, 'Method Not Allowed', '', 'bad method');
  const upgrade = (request.headers.upgrade ?? '').toLowerCase();
  const connection = (request.headers.connection ?? '').toLowerCase();
  if (upgrade !== 'websocket' || !connection.includes('upgrade')) {
    return refusal(400, 'Bad Request', '', 'not websocket protocol');
  }
  if (!request.headers['sec-websocket-key']) return refusal(400, 'Bad Request', '', 'mismatch challenge/response');
  if (request.headers['sec-websocket-version'] !== '13') {
    return refusal(400, 'Bad Request', 'Sec-WebSocket-Version: 13\r\n', 'missing or bad WebSocket Version');
  }
  return null;
}

/** The chosen subprotocol, or a refusal (`HTTP/1.1 403 Forbidden` with nothing else, as the CRI server writes). */
export function negotiateProtocol(
  mode: StreamingMode,
  offered: string[],
  headerPresent: boolean,
): { protocol: ChannelProtocolName } | { refusal: HandshakeRefusal } {
  if (mode === 'apiserver' && offered.includes(V5_PROTOCOL)) return { protocol: V5_PROTOCOL };
  if (!headerPresent || offered.length === 0) return { protocol: '' };
  const chosen = offered.find((p): p is ChannelProtocolName => (LEGACY_PROTOCOLS as string[]).includes(p));
  if (chosen) return { protocol: chosen };
  return { refusal: refusal(403, 'Forbidden') };
}

/** The 101 exactly as x/net writes it: four headers in this order, the protocol header even when empty. */
export function switchingProtocols(key: string, protocol: ChannelProtocolName): Buffer {
  return Buffer.from(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${websocketAccept(key)}\r\n` +
      `Sec-WebSocket-Protocol: ${protocol}\r\n` +
      '\r\n',
    'latin1',
  );
}
