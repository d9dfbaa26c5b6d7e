// Streaming URLs byte for byte as kubectl sends them (exec-protocol.md §1.2, captured query strings).
import { describe, expect, it } from 'vitest';
import { queryEscape, streamingPath, streamingQuery } from './url.ts';
import type { ExecOptions, StreamingSubresource } from './types.ts';

const io = (stdin: boolean, stdout: boolean, stderr: boolean, tty: boolean) => ({ stdin, stdout, stderr, tty });

describe('streamingQuery matches kubectl', () => {
  it.each<[string, StreamingSubresource, ExecOptions, string]>([
    [
      'exec, non-TTY',
      'exec',
      { command: ['echo', 'hello'], container: 'main', ...io(false, true, true, false) },
      'command=echo&command=hello&container=main&stderr=true&stdout=true',
    ],
    [
      'exec -i',
      'exec',
      { command: ['cat'], container: 'main', ...io(true, true, true, false) },
      'command=cat&container=main&stderr=true&stdin=true&stdout=true',
    ],
    [
      'exec -it (no stderr with a TTY)',
      'exec',
      { command: ['sh'], container: 'main', ...io(true, true, false, true) },
      'command=sh&container=main&stdin=true&stdout=true&tty=true',
    ],
    [
      'sh -c example',
      'exec',
      { command: ['sh', '-c', 'echo oops >&2; exit 3'], container: 'main', ...io(false, true, true, false) },
      'command=sh&command=-c&command=echo+oops+%3E%262%3B+exit+3&container=main&stderr=true&stdout=true',
    ],
    [
      'attach -it',
      'attach',
      { container: 'main', ...io(true, true, false, true) },
      'container=main&stdin=true&stdout=true&tty=true',
    ],
    [
      'attach (no TTY)',
      'attach',
      { container: 'main', ...io(true, true, true, false) },
      'container=main&stderr=true&stdin=true&stdout=true',
    ],
    [
      'kubectl cp, first exec',
      'exec',
      { command: ['test', '-d', '/tmp/x'], container: 'main', ...io(false, true, true, false) },
      'command=test&command=-d&command=%2Ftmp%2Fx&container=main&stderr=true&stdout=true',
    ],
    [
      'kubectl cp, then tar',
      'exec',
      { command: ['tar', '-xmf', '-', '-C', '/tmp'], container: 'main', ...io(true, true, true, false) },
      'command=tar&command=-xmf&command=-&command=-C&command=%2Ftmp&container=main&stderr=true&stdin=true&stdout=true',
    ],
  ])('%s', (_name, subresource, options, query) => {
    expect(streamingQuery(subresource, options)).toBe(query);
  });

  it('omits container when not given', () => {
    expect(streamingQuery('exec', { command: ['ls'], ...io(false, true, false, false) })).toBe(
      'command=ls&stdout=true',
    );
  });

  it('builds the path', () => {
    expect(
      streamingPath('team-a', 'web-0', 'exec', { command: ['sh'], container: 'main', ...io(true, true, false, true) }),
    ).toBe('/api/v1/namespaces/team-a/pods/web-0/exec?command=sh&container=main&stdin=true&stdout=true&tty=true');
  });

  it.each<[string, () => unknown, string]>([
    [
      'exec without a command',
      () => streamingQuery('exec', io(true, true, false, true)),
      'you must specify at least one command for the container',
    ],
    [
      'exec with an empty command',
      () => streamingQuery('exec', { command: [], ...io(true, true, false, true) }),
      'you must specify at least one command',
    ],
    [
      'attach with a command',
      () => streamingQuery('attach', { command: ['sh'], ...io(true, true, false, true) }),
      'attach takes no command',
    ],
    [
      'an empty namespace',
      () => streamingPath('', 'p', 'attach', io(true, true, false, true)),
      'a namespace is required',
    ],
    [
      'an empty pod name',
      () => streamingPath('ns', '', 'attach', io(true, true, false, true)),
      'a pod name is required',
    ],
  ])('rejects %s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('queryEscape (Go url.QueryEscape)', () => {
  it.each([
    ['a b', 'a+b'],
    ["!'()*", '%21%27%28%29%2A'],
    ['-_.~', '-_.~'],
    ['é', '%C3%A9'],
    ['a+b=c&d', 'a%2Bb%3Dc%26d'],
  ])('%j → %j', (input, output) => {
    expect(queryEscape(input)).toBe(output);
  });
});
