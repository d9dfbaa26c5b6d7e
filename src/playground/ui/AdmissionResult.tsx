// The admission page's result: admitted (and how the object changed, as a diff), denied (the Status the client
// gets), or a policy kube-apiserver would not create; then every policy invocation and validation binding in
// the order kube-apiserver ran them, with each matchCondition, variable, mutation and decision.

import type { AdmissionPageResult } from '../admission/evaluate.ts';
import type { ConditionTrace, InvocationTrace } from '../../policy/admission/admit.ts';
import type { VariableTrace } from '../../policy/admission/variables.ts';
import { ObjectDiff } from './ObjectDiff.tsx';
import { Timing } from './Timing.tsx';
import type { Shown } from './useEvaluation.ts';
import './AdmissionResult.css';

export function AdmissionResult({ shown }: { shown: Shown }) {
  if (shown.kind !== 'evaluation') return null;
  const result = shown.evaluation.result as AdmissionPageResult;
  return (
    <div className="admission-result" data-outcome={result.outcome}>
      <Verdict result={result} />
      <Request result={result} />
      {result.invocations.length ? <Invocations invocations={result.invocations} /> : null}
      {result.objectValidation ? <ObjectValidation result={result} /> : null}
      {result.validations.length ? <Validations result={result} /> : null}
      {result.typeChecking.length ? <TypeChecking result={result} /> : null}
      {result.outcome === 'admitted' ? <Final result={result} /> : null}
      <Timing elapsedMs={shown.evaluation.elapsedMs} />
    </div>
  );
}

function Verdict({ result }: { result: AdmissionPageResult }) {
  switch (result.outcome) {
    case 'invalid-input':
      return (
        <>
          <p className="outcome error" data-field="outcome">
            Input error
          </p>
          <pre className="value error" data-field="error">
            {result.inputError}
          </pre>
        </>
      );
    case 'invalid-policy':
      return (
        <>
          <p className="outcome error" data-field="outcome">
            422 Invalid: kube-apiserver would not create this policy or binding
          </p>
          <pre className="value error" data-field="error">
            {result.createError}
          </pre>
        </>
      );
    case 'denied': {
      const status = result.error!.status;
      return (
        <>
          <p className="outcome error" data-field="outcome">
            Denied: {status.code} {status.reason}
          </p>
          <pre className="value error" data-field="error">
            {result.error!.message}
          </pre>
          <details className="status">
            <summary>The Status the client receives</summary>
            <pre className="value">
              {JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', ...status }, null, 2)}
            </pre>
          </details>
        </>
      );
    }
    case 'admitted': {
      const mutators = [...new Set(result.invocations.filter((i) => i.why === 'mutated').map((i) => i.policy))];
      return (
        <>
          <p className="outcome ok" data-field="outcome">
            Admitted{result.changed ? `: mutated by ${mutators.join(', ')}` : ', unchanged'}
          </p>
          {result.warnings.length ? (
            <ul className="warnings" data-field="warnings">
              {result.warnings.map((w, i) => (
                <li key={i}>Warning: {w}</li>
              ))}
            </ul>
          ) : null}
          {Object.keys(result.auditAnnotations).length ? (
            <dl className="facts" data-field="auditAnnotations">
              {Object.entries(result.auditAnnotations).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          ) : null}
        </>
      );
    }
  }
}

/** kube-apiserver's validation of the mutated object, between the mutating and the validating policies. */
function ObjectValidation({ result }: { result: AdmissionPageResult }) {
  const v = result.objectValidation!;
  const verdict = !v.modelled
    ? `not modelled for ${v.kind || 'this object'} on ${v.operation}: a cluster may still answer 422 here`
    : v.errors.length
      ? `${v.errors.length} field ${v.errors.length === 1 ? 'error' : 'errors'}: kube-apiserver answers 422 Invalid, and the validating policies never run`
      : 'passed';
  return (
    <section
      className="object-validation"
      data-field="objectValidation"
      data-outcome={!v.modelled ? 'not-modelled' : v.errors.length ? 'invalid' : 'valid'}
    >
      <h3>Object validation</h3>
      <p className="muted">
        kube-apiserver validates the {v.kind || 'object'} after the mutating policies and before the validating ones:{' '}
        {verdict}.
      </p>
      {v.errors.length ? (
        <table>
          <tbody>
            {v.errors.map((e, i) => (
              <tr key={i}>
                <td>
                  <code>{e.field}</code>
                </td>
                <td className="bad">{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function Request({ result }: { result: AdmissionPageResult }) {
  const r = result.request;
  return (
    <div className="request-summary">
      {r ? (
        <p>
          Kubernetes {result.version}: <code>{r.operation}</code> {r.resource.group ? `${r.resource.group}/` : ''}
          {r.resource.version} {r.resource.resource}{' '}
          <code>
            {r.namespace ? `${r.namespace}/` : ''}
            {r.name ?? '(no name)'}
          </code>
          {r.userInfo?.username ? (
            <>
              {' '}
              as <code>{r.userInfo.username}</code>
            </>
          ) : null}
        </p>
      ) : null}
      {result.assumed.length ? <p className="assumed">Filled in: {result.assumed.join('; ')}.</p> : null}
      {r && (!r.kind.group.includes('.') || r.kind.group.endsWith('.k8s.io')) ? (
        <p className="muted" data-field="not-modelled">
          Modelled: kube-apiserver&apos;s defaults for Pod and Deployment, before admission and after each mutation. Not
          modelled yet: the admission plugins that run before policies (for a Pod: the ServiceAccount plugin&apos;s
          serviceAccountName and token volume, DefaultTolerationSeconds&apos; tolerations, priority), the defaults of
          other kinds, and the object validation of kinds other than Pod and Deployment. Write such fields in the object
          when a policy depends on them.
        </p>
      ) : null}
      {result.policies.length ? (
        <ul className="policies">
          {result.policies.map((p) => (
            <li key={`${p.kind}/${p.name}`} data-bound={p.bound}>
              {p.kind} <code>{p.name}</code> ({p.apiVersion}){p.bound ? '' : ': not bound, never runs'}
              {p.enablement ? <span className="muted"> — {p.enablement}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function Invocations({ invocations }: { invocations: readonly InvocationTrace[] }) {
  return (
    <section aria-label="Mutations">
      <h3>MutatingAdmissionPolicy invocations</h3>
      {invocations.map((inv, i) => (
        <div className="invocation" key={i} data-matched={inv.matched}>
          <p className="head">
            <code>{inv.policy}</code> with binding <code>{inv.binding}</code>
            {inv.param ? (
              <>
                {' '}
                and param <code>{inv.param}</code>
              </>
            ) : null}
            {inv.pass === 2 ? ' (reinvocation)' : ''}:{' '}
            {inv.error ? (
              <span className="bad">error</span>
            ) : inv.matched ? (
              (inv.why ?? 'ran, no change')
            ) : (
              `skipped: ${inv.why ?? ''}`
            )}
          </p>
          <Conditions conditions={inv.matchConditions} />
          <Variables variables={inv.variables} />
          {inv.mutations.length ? (
            <table>
              <tbody>
                {inv.mutations.map((m) => (
                  <tr key={m.index} data-outcome={m.error ? 'error' : 'applied'}>
                    <td>
                      mutations[{m.index}] {m.patchType}
                    </td>
                    <td>{m.error ? <span className="bad">{m.error}</span> : 'applied'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {inv.error && !inv.mutations.some((m) => m.error) ? <pre className="value error">{inv.error}</pre> : null}
        </div>
      ))}
    </section>
  );
}

function Validations({ result }: { result: AdmissionPageResult }) {
  return (
    <section aria-label="Validations">
      <h3>ValidatingAdmissionPolicy bindings</h3>
      {result.validations.map((v, i) => (
        <div className="invocation" key={i} data-matched={v.matched}>
          <p className="head">
            <code>{v.policy}</code> with binding <code>{v.binding}</code>:{' '}
            {v.matched
              ? `${v.decisions.filter((d) => d.action === 'Deny').length} of ${v.decisions.length} validations fail`
              : `skipped: ${v.why ?? ''}`}
          </p>
          <Conditions conditions={v.matchConditions} />
          <Variables variables={v.variables} />
          {v.decisions.length ? (
            <table>
              <tbody>
                {v.decisions.map((d) => (
                  <tr key={d.index} data-outcome={d.action}>
                    <td>validations[{d.index}]</td>
                    <td>
                      {d.action === 'Admit' ? (
                        'passes'
                      ) : (
                        <span className="bad">{`${d.reason ?? ''}: ${d.message ?? ''}`}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ))}
    </section>
  );
}

/** status.typeChecking as kube-controller-manager writes it on each ValidatingAdmissionPolicy. */
function TypeChecking({ result }: { result: AdmissionPageResult }) {
  return (
    <section aria-label="Type checking" data-field="typeChecking">
      <h3>status.typeChecking (kube-controller-manager)</h3>
      <p className="muted">
        Warnings only: kube-apiserver compiles the expressions with <code>object</code> as dyn and admits as above; the
        validatingadmissionpolicy-status controller checks them against the OpenAPI schema of each kind the resource
        rules name (no wildcards, subresources or custom resources, at most 10 kinds per rule).
      </p>
      {result.typeChecking.map((t) => (
        <div className="invocation" key={t.policy} data-policy={t.policy}>
          <p className="head">
            <code>{t.policy}</code>:{' '}
            {t.checkedKinds.length
              ? `checked against ${t.checkedKinds.join('; ')}: ${t.expressionWarnings.length ? `${t.expressionWarnings.length} expression${t.expressionWarnings.length > 1 ? 's' : ''} with warnings` : 'no warnings'}`
              : 'nothing to check against (no resource rule names a kind with a known schema)'}
          </p>
          {t.expressionWarnings.length ? (
            <table className="type-checking">
              <tbody>
                {t.expressionWarnings.map((w) => (
                  <tr key={w.fieldRef}>
                    <td>
                      <code>{w.fieldRef}</code>
                    </td>
                    <td>
                      <pre className="value warning">{w.warning}</pre>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ))}
    </section>
  );
}

function Conditions({ conditions }: { conditions: readonly ConditionTrace[] }) {
  if (!conditions.length) return null;
  return (
    <table className="conditions">
      <tbody>
        {conditions.map((c) => (
          <tr key={c.name} data-outcome={c.error ? 'error' : String(c.value)}>
            <td>
              matchCondition <code>{c.name}</code>
            </td>
            <td>{c.error ? <span className="bad">{c.error}</span> : <code>{String(c.value)}</code>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Variables({ variables }: { variables: readonly VariableTrace[] | undefined }) {
  if (!variables?.length) return null;
  return (
    <table className="variables">
      <tbody>
        {variables.map((v) => (
          <tr key={v.name}>
            <td>
              variables.<code>{v.name}</code>
            </td>
            <td>
              {v.error ? (
                <span className="bad">{v.error}</span>
              ) : (
                <>
                  <code>{JSON.stringify(v.value)}</code> <span className="muted">{v.type}</span>
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Final({ result }: { result: AdmissionPageResult }) {
  if (result.diffSkipped) return <p className="muted">{result.diffSkipped}</p>;
  if (result.inputYaml === undefined || result.finalYaml === undefined) return null;
  return (
    <section aria-label="The object">
      <h3>The object, before and after</h3>
      <ObjectDiff before={result.inputYaml} after={result.finalYaml} />
    </section>
  );
}
