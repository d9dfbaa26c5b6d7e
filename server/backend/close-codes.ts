// The WebSocket close codes Porthole itself ends a relayed shell with (the private-use range 4000–4999 of
// RFC 6455 §7.4.2), so the page, the audit record and a person reading either can tell them apart from the
// cluster's own closes and from network failures (token-broker-security §3.3 step 7, §6 A20, A21).

/** The web session ended: logout (in any tab), its idle or absolute expiry, a new login replacing it. */
export const CLOSE_SESSION_ENDED = 4001;
/** No data either way for the shell idle limit. */
export const CLOSE_SHELL_IDLE = 4002;
/** The shell was open for its maximum duration, whatever the activity. */
export const CLOSE_SHELL_MAX_DURATION = 4003;

/** `90 min` → "1h30m": how the close reasons state a limit. */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  const total = ms / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return text || '0s';
}
