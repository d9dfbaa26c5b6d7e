// The authentication result panel rendered from real evaluations of the examples: the whoami rows, the error
// kube-apiserver logs, the deciding trace step and the decoded token are all on the page.

import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { evaluateAuthnPage } from '../authn/evaluate.ts';
import { AUTHN_EXAMPLES } from '../authn/examples.ts';
import { AuthnResult } from './AuthnResult.tsx';

async function render(id: string, version: '1.30' | '1.34' = '1.34') {
  const e = AUTHN_EXAMPLES.find((x) => x.id === id)!;
  const { result, diagnostics } = await evaluateAuthnPage({ page: 'authn', version, docs: e.docs, options: e.options });
  return renderToStaticMarkup(
    createElement(AuthnResult, { shown: { kind: 'evaluation', evaluation: { result, diagnostics, elapsedMs: 1 } } }),
  );
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');

describe('the authentication result panel', () => {
  it('an authenticated token: the user as kubectl auth whoami shows it', async () => {
    const t = text(await render('signed-token'));
    expect(t).toContain('Authenticated by jwt[0] ( https://login.example.com )');
    expect(t).toContain(
      'ATTRIBUTE VALUE Username jane@example.com UID f4b2c1d0 Groups [oidc:dev oidc:ops system:authenticated] Extra: authentication.kubernetes.io/credential-id [JTI=a1b2c3]',
    );
    expect(t).toContain('Decoded token (signature: verified)');
  });
  it('a rejected token: the error, and the deciding step marked in the trace', async () => {
    const html = await render('docs-example');
    expect(text(html)).toContain('oidc: verify token: oidc: expected audience "my-app" got ["kubernetes"]');
    expect(html).toMatch(/<tr data-outcome="fail" data-decided="true"><td>2<\/td><td>audience<\/td>/);
    expect(text(html)).toContain('"username": "foo"');
  });
  it('a configuration that does not load: kube-apiserver’s startup message', async () => {
    expect(text(await render('docs-example', '1.30'))).toContain(
      'failed to load authentication configuration from file "<path>": no kind "AuthenticationConfiguration" is registered for version "apiserver.config.k8s.io/v1"',
    );
  });
});
