// The allowlist parser on raw request targets, table-driven: what is relayed (and exactly how it is sent
// upstream) and what is refused with which status.

import { describe, expect, it } from 'vitest';
import { kubeBool, parseClusterRequest } from './routes.ts';

describe('parseClusterRequest: allowed', () => {
  it.each([
    { target: '/clusters/local/api/v1/namespaces', route: { kind: 'list-namespaces' }, query: '' },
    {
      target: '/clusters/local/api/v1/pods?limit=500&continue=abc',
      route: { kind: 'list-pods' },
      query: '?limit=500&continue=abc',
    },
    {
      target: '/clusters/local/api/v1/namespaces/team-a/pods?labelSelector=app+in+(a,b)',
      route: { kind: 'list-pods', namespace: 'team-a' },
      query: '?labelSelector=app%20in%20(a%2Cb)',
    },
    {
      target: '/clusters/local/api/v1/namespaces/default/pods/web-0.cache',
      route: { kind: 'get-pod', namespace: 'default', pod: 'web-0.cache' },
      query: '',
    },
    {
      target:
        '/clusters/local/api/v1/namespaces/default/pods/shell/exec?command=sh&command=-c&command=echo+oops+%3E%262%3B+exit+3&container=main&stderr=true&stdout=true',
      route: { kind: 'stream', subresource: 'exec', namespace: 'default', pod: 'shell' },
      query:
        '?command=sh&command=-c&command=echo%20oops%20%3E%262%3B%20exit%203&container=main&stderr=true&stdout=true',
    },
    {
      target:
        '/clusters/local/api/v1/namespaces/default/pods/ticker/attach?container=main&stdin=true&stdout=true&tty=true',
      route: { kind: 'stream', subresource: 'attach', namespace: 'default', pod: 'ticker' },
      query: '?container=main&stdin=true&stdout=true&tty=true',
    },
  ])('$target', ({ target, route, query }) => {
    const result = parseClusterRequest(target);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.cluster).toBe('local');
    expect(result.request.route).toEqual(route);
    expect(result.request.query).toBe(query);
    expect(result.request.apiPath).toBe(target.split('?')[0]?.replace('/clusters/local', ''));
  });

  it('decodes the cluster segment once (context names may hold / and :), and only that segment', () => {
    const result = parseClusterRequest('/clusters/arn%3Aaws%3Aeks%3Aeu-west-1%3A1%3Acluster%2Fprod/api/v1/pods');
    expect(result.ok && result.request.cluster).toBe('arn:aws:eks:eu-west-1:1:cluster/prod');
    expect(result.ok && result.request.apiPath).toBe('/api/v1/pods');
  });

  it('keeps a multi-line sh -c script', () => {
    const result = parseClusterRequest(
      '/clusters/c/api/v1/namespaces/d/pods/p/exec?command=sh&command=-c&command=a%0Ab',
    );
    expect(result.ok && result.request.params).toEqual([
      ['command', 'sh'],
      ['command', '-c'],
      ['command', 'a\nb'],
    ]);
  });
});

describe('parseClusterRequest: refused', () => {
  it.each([
    { target: '/clusters/local/api/v1/secrets', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/default/secrets', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/default/pods/x/portforward', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/default/pods/x/log', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/default/pods/x/exec/more', status: 403 },
    { target: '/clusters/local/api/v1/nodes/n1/proxy', status: 403 },
    { target: '/clusters/local/apis/apps/v1/deployments', status: 403 },
    { target: '/clusters/local/api/v2/pods', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/Default/pods', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/-bad/pods', status: 403 },
    { target: `/clusters/local/api/v1/namespaces/${'a'.repeat(64)}/pods`, status: 403 },
    { target: '/clusters/local/api/v1/namespaces/default/pods/a..b/exec', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/default/pods/../../secrets', status: 404 },
    { target: '/clusters/local/api/v1/namespaces/default/pods/./shell', status: 404 },
    { target: '/clusters/local/api/v1/namespaces/default/pods/a%2Fb', status: 404 },
    { target: '/clusters/local/api/v1/namespaces/default/pods/%2e%2e/exec', status: 404 },
    { target: '/clusters/local/api/v1/namespaces/default/pods/a%252Fb', status: 404 },
    { target: '/clusters/local/api/v1/namespaces/default/pods\\shell', status: 404 },
    { target: '/clusters/local/api//v1/pods', status: 404 },
    { target: '/clusters/local/api/v1/pods/', status: 404 },
    { target: '/clusters//api/v1/pods', status: 404 },
    { target: '/clusters/%zz/api/v1/pods', status: 404 },
    { target: '/clusters/local', status: 403 },
    { target: '/api/v1/pods', status: 404 },
    { target: '/clusters/local/api/v1/pods?watch=true', status: 403 },
    { target: '/clusters/local/api/v1/pods?resourceVersion=0', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/d/pods/p?pretty=true', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/d/pods/p/attach?command=sh', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/d/pods/p/exec?ports=80', status: 403 },
    { target: '/clusters/local/api/v1/namespaces/d/pods/p/exec?container=a&container=b', status: 400 },
    { target: '/clusters/local/api/v1/namespaces/d/pods/p/exec?command=%00', status: 400 },
    { target: '/clusters/local/api/v1/namespaces/d/pods/p/exec?command=%E0%A4%A', status: 400 },
    { target: '/clusters/local/api/v1/pods?limit=ten', status: 400 },
    { target: `/clusters/local/api/v1/namespaces/d/pods/p/exec?${'command=x&'.repeat(257)}`, status: 400 },
  ])('$target → $status', ({ target, status }) => {
    const result = parseClusterRequest(target);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(status);
    expect(result.message).not.toBe('');
  });
});

describe('kubeBool follows the apiserver', () => {
  it.each([
    { query: [], value: false },
    { query: [['tty', 'true']], value: true },
    { query: [['tty', '1']], value: true },
    { query: [['tty', '']], value: true },
    { query: [['tty', 'yes']], value: true },
    { query: [['tty', '0']], value: false },
    { query: [['tty', 'FALSE']], value: false },
    {
      query: [
        ['tty', 'false'],
        ['tty', 'true'],
      ],
      value: false,
    },
  ] as Array<{ query: Array<[string, string]>; value: boolean }>)('$query → $value', ({ query, value }) => {
    expect(kubeBool(query, 'tty')).toBe(value);
  });
});
