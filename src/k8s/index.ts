// The channel-protocol client: everything the terminal UI, the server and the CLI use from src/k8s.
export * from './types.ts';
export { ExecSession, MAX_MESSAGE_BYTES, DEFAULT_KEEPALIVE_MS, HANG_UP_KEYS, resizeMessage } from './session.ts';
export type { ExecSessionOptions, ExecSessionEvents, IntervalTimers } from './session.ts';
export { decodeErrorChannel, NON_ZERO_EXIT_CODE_REASON, EXIT_CODE_CAUSE_TYPE } from './status.ts';
export { streamingPath, streamingQuery, queryEscape } from './url.ts';
export { bearerTokenProtocol, base64RawUrl, BEARER_PROTOCOL_PREFIX } from './auth.ts';
export { SHELL_DISCOVERY_COMMAND, isExecutableNotFound } from './shell.ts';
export { decodeOutput, collectOutput } from './text.ts';
export type { TextHandlers, CollectedOutput } from './text.ts';
