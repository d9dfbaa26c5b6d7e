import { describe, expect, it } from 'vitest';
import { SHELL_DISCOVERY_COMMAND } from '../k8s/shell.ts';
import { sessionUrl } from './openSession.ts';

describe('sessionUrl: the WebSocket a tab opens, under the backend, as kubectl would build the query', () => {
  const page = { protocol: 'http:', host: '127.0.0.1:8080' };
  it('exec with the shell discovery command', () => {
    expect(
      sessionUrl(
        {
          cluster: 'local',
          namespace: 'default',
          pod: 'shell',
          container: 'main',
          mode: 'exec',
          command: [...SHELL_DISCOVERY_COMMAND],
        },
        page,
      ),
    ).toBe(
      'ws://127.0.0.1:8080/clusters/local/api/v1/namespaces/default/pods/shell/exec?command=%2Fbin%2Fsh&command=-c&command=command+-v+bash+%3E%2Fdev%2Fnull+2%3E%261+%26%26+exec+bash+%7C%7C+exec+sh&container=main&stdin=true&stdout=true&tty=true',
    );
  });

  it('attach over TLS, with a cluster name escaped as one path segment', () => {
    expect(
      sessionUrl(
        { cluster: 'prod/eu', namespace: 'team-a', pod: 'ticker', container: 'main', mode: 'attach' },
        { protocol: 'https:', host: 'porthole.example' },
      ),
    ).toBe(
      'wss://porthole.example/clusters/prod%2Feu/api/v1/namespaces/team-a/pods/ticker/attach?container=main&stdin=true&stdout=true&tty=true',
    );
  });
});
