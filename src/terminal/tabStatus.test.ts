import { describe, expect, it } from 'vitest';
import type { SessionEnd } from '../k8s/types.ts';
import { statusAction, statusFromEnd, statusText } from './tabStatus.ts';

const end = (overrides: Partial<SessionEnd>): SessionEnd => ({
  result: null,
  closeCode: 1000,
  closeReason: '',
  dropped: false,
  opened: true,
  hungUp: false,
  ...overrides,
});

describe('the status line after a session ends', () => {
  const cases: Array<{
    name: string;
    end: SessionEnd;
    diagnostic?: string;
    text: string;
    exec: string | null;
    attach: string | null;
  }> = [
    {
      name: 'exit 0 (Success status)',
      end: end({ result: { kind: 'success' } }),
      text: 'exited with code 0',
      exec: 'Reopen',
      attach: 'Reconnect',
    },
    {
      name: 'exit 3 (NonZeroExitCode)',
      end: end({
        result: {
          kind: 'exit',
          exitCode: 3,
          message: 'command terminated with non-zero exit code: command terminated with exit code 3',
        },
      }),
      text: 'exited with code 3',
      exec: 'Reopen',
      attach: 'Reconnect',
    },
    {
      name: 'a failure Status shows its message',
      end: end({
        result: {
          kind: 'failure',
          reason: 'InternalError',
          message: 'Internal error occurred: unable to upgrade connection: container not found ("main")',
          code: 500,
        },
      }),
      text: 'Internal error occurred: unable to upgrade connection: container not found ("main")',
      exec: 'Reopen',
      attach: 'Reconnect',
    },
    {
      name: 'a dropped connection is not an exit',
      end: end({ closeCode: 1006, dropped: true }),
      text: 'connection lost (close code 1006)',
      exec: 'Reconnect',
      attach: 'Reconnect',
    },
    {
      name: 'a refused upgrade shows the diagnostic GET’s message',
      end: end({ closeCode: 1006, dropped: true, opened: false }),
      diagnostic: 'pods "nope" not found',
      text: 'pods "nope" not found',
      exec: 'Reopen',
      attach: 'Reconnect',
    },
    {
      name: 'a deliberate hang-up',
      end: end({ hungUp: true }),
      text: 'closed',
      exec: null,
      attach: null,
    },
    {
      name: 'a protocol error',
      end: end({ result: { kind: 'protocol-error', message: 'error reading from error stream: read stream id: EOF' } }),
      text: 'protocol error: error reading from error stream: read stream id: EOF',
      exec: 'Reopen',
      attach: 'Reconnect',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const status = statusFromEnd(c.end, c.diagnostic);
      expect(statusText(status)).toBe(c.text);
      expect(statusAction(status, 'exec')).toBe(c.exec);
      expect(statusAction(status, 'attach')).toBe(c.attach);
    });
  }

  it('names the protocol while connected', () => {
    expect(statusText({ state: 'connected', protocol: 'v5.channel.k8s.io' })).toBe('connected (protocol v5)');
    expect(statusText({ state: 'connected', protocol: 'v4.channel.k8s.io' })).toBe('connected (protocol v4)');
  });
});
