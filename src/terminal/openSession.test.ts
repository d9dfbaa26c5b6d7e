import { describe, expect, it } from 'vitest';
import { SHELL_DISCOVERY_COMMAND } from '../k8s/shell.ts';
import { offeredProtocols, sessionUrl } from './openSession.ts';

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

describe('offeredProtocols: the ?protocols= page flag', () => {
  const cases: Array<{ search: string; offered: string[]; warnings: number }> = [
    { search: '', offered: ['v5.channel.k8s.io', 'v4.channel.k8s.io'], warnings: 0 },
    { search: '?websocket', offered: ['v5.channel.k8s.io', 'v4.channel.k8s.io'], warnings: 0 },
    { search: '?protocols=v4', offered: ['v4.channel.k8s.io'], warnings: 0 },
    { search: '?protocols=v5', offered: ['v5.channel.k8s.io'], warnings: 0 },
    { search: '?protocols=v4,v5', offered: ['v4.channel.k8s.io', 'v5.channel.k8s.io'], warnings: 0 },
    { search: '?protocols=v4,%20v4', offered: ['v4.channel.k8s.io'], warnings: 0 },
    { search: '?protocols=v3,v4', offered: ['v4.channel.k8s.io'], warnings: 1 },
    { search: '?protocols=v4.channel.k8s.io', offered: ['v5.channel.k8s.io', 'v4.channel.k8s.io'], warnings: 1 },
    { search: '?protocols=', offered: ['v5.channel.k8s.io', 'v4.channel.k8s.io'], warnings: 1 },
  ];
  it.each(cases)('$search offers $offered', ({ search, offered, warnings }) => {
    const warned: string[] = [];
    expect(offeredProtocols(search, (m) => warned.push(m))).toEqual(offered);
    expect(warned).toHaveLength(warnings);
  });

  it('names the unknown protocol in the warning', () => {
    const warned: string[] = [];
    offeredProtocols('?protocols=v3,v4', (m) => warned.push(m));
    expect(warned).toEqual(['?protocols=v3,v4: unknown channel protocol "v3" left out (known: v5, v4)']);
  });
});
