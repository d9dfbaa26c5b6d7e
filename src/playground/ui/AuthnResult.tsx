// The authentication page's result: who the token authenticates as (laid out like `kubectl auth whoami`), or
// the error kube-apiserver would log; the decoded token; and the trace of every step, the deciding one marked.
// Also the page's own control: sign the claims with a key generated in this tab.

import { useRef, useState } from 'react';
import type { AuthnPageResult, AuthnTraceStep } from '../authn/evaluate.ts';
import {
  generateTestIssuerKey,
  SIGNING_ALGORITHMS,
  signClaimsYaml,
  type SigningAlgorithm,
  type TestIssuerKey,
} from '../authn/signing.ts';
import type { UserInfo } from '../../policy/authn/types.ts';
import type { PageActionContext } from './pages.tsx';
import { Timing } from './Timing.tsx';
import type { Shown } from './useEvaluation.ts';
import './AuthnResult.css';

export function AuthnResult({ shown }: { shown: Shown }) {
  if (shown.kind !== 'evaluation') return null;
  const result = shown.evaluation.result as AuthnPageResult;
  return (
    <div className="authn-result" data-outcome={result.outcome}>
      <Verdict result={result} />
      <p className="checked-at">
        Kubernetes {result.version}, checked at <span data-field="now">{result.now.rfc3339 || 'an invalid time'}</span>
        {result.now.real ? ' (now)' : ''}
      </p>
      {result.trace.length ? <Trace steps={result.trace} decidedBy={result.decidedBy} /> : null}
      <DecodedToken result={result} />
      <Timing elapsedMs={shown.evaluation.elapsedMs} />
    </div>
  );
}

function Verdict({ result }: { result: AuthnPageResult }) {
  const v = result.verdict;
  if (result.outcome === 'invalid-config') {
    const prefix =
      result.config.stage === 'load'
        ? 'failed to load authentication configuration from file "<path>": '
        : 'invalid authentication configuration: ';
    return (
      <>
        <p className="outcome error">
          {result.config.stage === 'load' ? 'The file does not load' : 'The configuration is invalid'}: kube-apiserver
          would not start with it (on reload it keeps the previous one)
        </p>
        <pre className="value error" data-field="error">
          {prefix}
          {result.config.error}
        </pre>
      </>
    );
  }
  if (result.outcome === 'invalid-input' || !v) {
    return (
      <>
        <p className="outcome error">Input error</p>
        <pre className="value error" data-field="error">
          {result.inputError}
        </pre>
      </>
    );
  }
  if (v.authenticated) {
    return (
      <>
        <p className="outcome ok">
          Authenticated by jwt[{v.authenticator}] (<code>{v.issuer}</code>)
        </p>
        <WhoAmI user={v.user} />
      </>
    );
  }
  if (v.error === null) {
    return (
      <>
        <p className="outcome warn">
          401 Unauthorized: no JWT authenticator takes this token, and kube-apiserver logs nothing
        </p>
        <pre className="value" data-field="error">
          {result.decidedBy !== undefined ? result.trace[result.decidedBy]?.detail : ''}
        </pre>
      </>
    );
  }
  return (
    <>
      <p className="outcome error">
        401 Unauthorized: jwt[{v.authenticator}] (<code>{v.issuer}</code>) rejects the token; kube-apiserver logs
      </p>
      <pre className="value error" data-field="error">
        {v.error}
      </pre>
    </>
  );
}

/** The user as `kubectl auth whoami` prints it: ATTRIBUTE / VALUE rows, lists in Go's `[a b]` form. */
function WhoAmI({ user }: { user: UserInfo }) {
  const list = (xs: readonly string[]) => `[${xs.join(' ')}]`;
  const rows: [string, string][] = [['Username', user.username]];
  if (user.uid) rows.push(['UID', user.uid]);
  if (user.groups?.length) rows.push(['Groups', list(user.groups)]);
  for (const [key, values] of Object.entries(user.extra ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)))
    rows.push([`Extra: ${key}`, list(values)]);
  return (
    <table className="whoami" data-field="user">
      <thead>
        <tr>
          <th>ATTRIBUTE</th>
          <th>VALUE</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <td>{k}</td>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Trace({ steps, decidedBy }: { steps: readonly AuthnTraceStep[]; decidedBy: number | undefined }) {
  return (
    <table className="trace" aria-label="Trace">
      <thead>
        <tr>
          <th>#</th>
          <th>Step</th>
          <th>Rule</th>
          <th>Outcome</th>
          <th>Value or error</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s, i) => (
          <tr key={i} data-outcome={s.outcome} data-decided={i === decidedBy ? 'true' : undefined}>
            <td>{i + 1}</td>
            <td>{s.step}</td>
            <td>
              {s.field ? <code>{s.field}</code> : null}
              {s.range ? <span className="line"> line {s.range.startLineNumber}</span> : null}
            </td>
            <td>{i === decidedBy ? `${s.outcome} (decided)` : s.outcome}</td>
            <td>
              {s.value !== undefined ? <code>{JSON.stringify(s.value)}</code> : null}
              {s.detail ? <span className="detail"> {s.detail}</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DecodedToken({ result }: { result: AuthnPageResult }) {
  const { header, claims, signature } = result.token;
  if (!header && !claims) return null;
  return (
    <details className="decoded-token" open>
      <summary>
        {result.tokenMode === 'jwt' ? 'Decoded token' : 'Claims'} (signature: {signature})
      </summary>
      {header ? (
        <pre className="value" data-field="header">
          {JSON.stringify(header, null, 2)}
        </pre>
      ) : null}
      {claims ? (
        <pre className="value" data-field="claims">
          {JSON.stringify(claims, null, 2)}
        </pre>
      ) : null}
    </details>
  );
}

/** Signs the claims editor's YAML with a key made in this tab, then shows the JWT and its public JWKS. */
export function AuthnSigner({ docs, change }: PageActionContext) {
  const keys = useRef(new Map<SigningAlgorithm, Promise<TestIssuerKey>>());
  const [alg, setAlg] = useState<SigningAlgorithm>('ES256');
  const [message, setMessage] = useState('');
  const sign = async () => {
    let key = keys.current.get(alg);
    if (!key) keys.current.set(alg, (key = generateTestIssuerKey(alg)));
    const signed = await signClaimsYaml(docs.claims ?? '', await key);
    if (!signed.ok) {
      setMessage(`Cannot sign the claims: ${signed.error}`);
      return;
    }
    setMessage('Signed: the token and its public JWKS are in their editors (the private key never leaves this tab).');
    change({ token: signed.token, jwks: signed.jwksText }, { tokenMode: 'jwt' });
  };
  return (
    <div className="authn-signer">
      <button type="button" onClick={() => void sign()}>
        Sign the claims with a test key
      </button>{' '}
      <select aria-label="Signing algorithm" value={alg} onChange={(e) => setAlg(e.target.value as SigningAlgorithm)}>
        {SIGNING_ALGORITHMS.map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </select>
      {message ? (
        <span className="signer-message" role="status">
          {' '}
          {message}
        </span>
      ) : null}
    </div>
  );
}
