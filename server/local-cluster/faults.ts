// Fault injection for client tests (exec-protocol §10.4 item 24): a stream misbehaves in one chosen way so a test
// can assert how a client (kubectl, our browser client) reacts — the G7 matrix of the notes.

export type StreamFault =
  /** End of session: drop TCP without status or close frame. */
  | 'abrupt-close'
  /** End of session: status, then close 1011 instead of 1000. */
  | 'close-1011'
  /** End of session: status, then nothing — the connection stays open until the client closes it. */
  | 'status-without-close'
  /** Output as text frames (v5/v4 clients must reject them). */
  | 'text-frame'
  /** A zero-length data message right after the initial frame. */
  | 'zero-length-message'
  /** A message on channel 7 right after the initial frame. */
  | 'unknown-channel'
  /** Pings go unanswered. */
  | 'no-pong'
  /** The 101 names v4.channel.k8s.io whatever was offered. */
  | 'unoffered-protocol'
  /** The upgrade is refused with the CRI's bare 403. */
  | 'refuse-403';

export const STREAM_FAULTS: readonly StreamFault[] = [
  'abrupt-close',
  'close-1011',
  'status-without-close',
  'text-frame',
  'zero-length-message',
  'unknown-channel',
  'no-pong',
  'unoffered-protocol',
  'refuse-403',
];
