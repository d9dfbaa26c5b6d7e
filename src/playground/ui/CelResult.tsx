// The CEL page's result: the value and its CEL type, or the error as kube-apiserver words it, with the cost
// and how long the worker took.

import type { CelPageResult } from '../cel/evaluate.ts';
import { Timing } from './Timing.tsx';
import type { Shown } from './useEvaluation.ts';

export function CelResult({ shown }: { shown: Shown }) {
  if (shown.kind !== 'evaluation') return null;
  const result = shown.evaluation.result as CelPageResult;
  return (
    <div className="cel-result" data-outcome={result.outcome}>
      {result.outcome === 'value' ? (
        <>
          <dl className="facts">
            <dt>Type</dt>
            <dd data-field="type">{result.type}</dd>
            <dt>Cost</dt>
            <dd data-field="cost">{result.cost}</dd>
          </dl>
          <pre className="value" data-field="value">
            {JSON.stringify(result.value, null, 2)}
          </pre>
        </>
      ) : (
        <>
          <p className="outcome error">
            {result.outcome === 'invalid' ? 'Input error' : result.compileError ? 'Compile error' : 'Runtime error'}
            {result.outcome === 'error' && result.cost !== undefined ? ` (cost ${result.cost})` : null}
          </p>
          <pre className="value error" data-field="error">
            {result.error}
          </pre>
        </>
      )}
      <Timing elapsedMs={shown.evaluation.elapsedMs} />
    </div>
  );
}
