// The channel subprotocols a Kubernetes exec/attach WebSocket can speak, and how each one frames a message.
// v5 is what the apiserver's translator serves; the rest are the legacy CRI streaming server's (exec-protocol §1.4).
import { Opcode } from '../../src/k8s/frames.ts';

export type ChannelProtocolName =
  | 'v5.channel.k8s.io'
  | 'v4.channel.k8s.io'
  | 'v4.base64.channel.k8s.io'
  | 'channel.k8s.io'
  | 'base64.channel.k8s.io'
  | '';

export interface ChannelProtocol {
  name: ChannelProtocolName;
  /** Text frames carrying an ASCII channel digit and standard base64 (the two base64 protocols). */
  base64: boolean;
  /** v5: `[0xFF, channel]` closes an input channel. */
  closeSignal: boolean;
  /** v4/v5 send a JSON Status on channel 3 (success included); the v1 family sends plain text on failure only. */
  jsonStatus: boolean;
}

export const CHANNEL_PROTOCOLS: Record<ChannelProtocolName, ChannelProtocol> = {
  'v5.channel.k8s.io': { name: 'v5.channel.k8s.io', base64: false, closeSignal: true, jsonStatus: true },
  'v4.channel.k8s.io': { name: 'v4.channel.k8s.io', base64: false, closeSignal: false, jsonStatus: true },
  'v4.base64.channel.k8s.io': { name: 'v4.base64.channel.k8s.io', base64: true, closeSignal: false, jsonStatus: true },
  'channel.k8s.io': { name: 'channel.k8s.io', base64: false, closeSignal: false, jsonStatus: false },
  'base64.channel.k8s.io': { name: 'base64.channel.k8s.io', base64: true, closeSignal: false, jsonStatus: false },
  '': { name: '', base64: false, closeSignal: false, jsonStatus: false },
};

/** What the legacy CRI server supports for exec/attach, in no particular order (the client's order decides). */
export const LEGACY_PROTOCOLS: ChannelProtocolName[] = [
  'v4.channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'channel.k8s.io',
  'base64.channel.k8s.io',
];

/** One outgoing message as (opcode, payload). */
export function encodeMessage(protocol: ChannelProtocol, channel: number, data: Uint8Array): [Opcode, Uint8Array] {
  if (protocol.base64) {
    const text = String.fromCharCode(0x30 + channel) + Buffer.from(data).toString('base64');
    return [Opcode.Text, Buffer.from(text, 'latin1')];
  }
  const payload = new Uint8Array(data.length + 1);
  payload[0] = channel;
  payload.set(data, 1);
  return [Opcode.Binary, payload];
}

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Splits an incoming message into channel and data; null for messages the server drops (bad base64). */
export function decodeMessage(
  protocol: ChannelProtocol,
  payload: Uint8Array,
): { channel: number; data: Uint8Array } | null {
  if (payload.length === 0) return null;
  if (protocol.base64) {
    const channel = payload[0]! - 0x30;
    const text = Buffer.from(payload.subarray(1)).toString('latin1');
    if (!STANDARD_BASE64.test(text)) return null;
    return { channel, data: Buffer.from(text, 'base64') };
  }
  return { channel: payload[0]!, data: payload.subarray(1) };
}
