// Text views of a session's output for callers that want strings (logs, tests, a CLI). xterm.js takes the raw
// bytes instead. One streaming TextDecoder per channel, because a UTF-8 character can be split across
// messages (§2.7: `c3 | a9`) and decoding each message on its own would print U+FFFD.
import type { ExecSession } from './session.ts';
import type { SessionEnd } from './types.ts';

export interface TextHandlers {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

/** Calls the handlers with decoded text as output arrives, flushing each decoder when the session ends. */
export function decodeOutput(session: ExecSession, handlers: TextHandlers): void {
  for (const channel of ['stdout', 'stderr'] as const) {
    const handler = handlers[channel];
    if (!handler) continue;
    const decoder = new TextDecoder('utf-8');
    session.on(channel, (bytes) => {
      const text = decoder.decode(bytes, { stream: true });
      if (text) handler(text);
    });
    session.on('end', () => {
      const rest = decoder.decode();
      if (rest) handler(rest);
    });
  }
}

export interface CollectedOutput {
  stdout: string;
  stderr: string;
  end: SessionEnd;
}

/** Gathers all output as text and resolves when the session ends. */
export function collectOutput(session: ExecSession): Promise<CollectedOutput> {
  let stdout = '';
  let stderr = '';
  decodeOutput(session, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return session.ended.then((end) => ({ stdout, stderr, end }));
}
