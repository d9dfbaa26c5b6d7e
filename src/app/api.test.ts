import { describe, expect, it } from 'vitest';
import { messageFromBody } from './api.ts';
import { loginTokenFromFragment } from './useLogin.ts';

describe('messageFromBody: what a person reads for an error answer', () => {
  const cases: Array<{ name: string; status: number; body: string; want: string }> = [
    {
      name: 'a Kubernetes Status',
      status: 404,
      body: '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404}',
      want: 'pods "nope" not found',
    },
    { name: 'a Porthole error', status: 403, body: '{"error":"origin not allowed"}', want: 'origin not allowed' },
    { name: 'plain text', status: 502, body: 'upstream unreachable\n', want: 'upstream unreachable' },
    { name: 'an empty body', status: 500, body: '', want: '500 Internal Server Error' },
  ];
  for (const c of cases) {
    it(c.name, () => expect(messageFromBody(c.status, 'Internal Server Error', c.body).message).toBe(c.want));
  }
});

describe('loginTokenFromFragment', () => {
  it('reads #login=<token> and nothing else', () => {
    expect(loginTokenFromFragment('#login=abc123')).toBe('abc123');
    expect(loginTokenFromFragment('#x=1&login=abc')).toBe('abc');
    expect(loginTokenFromFragment('#login=')).toBe(null);
    expect(loginTokenFromFragment('')).toBe(null);
    expect(loginTokenFromFragment('#token=abc')).toBe(null);
  });
});
