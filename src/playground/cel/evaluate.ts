// The CEL scratch page: one expression, its variables as YAML, optional composited variables (a policy's
// `spec.variables` list), evaluated as kube-apiserver would in the chosen environment and version.

import { isMap, isScalar, isSeq } from 'yaml';
import { runCelRequest, type CelRequest } from '../../cel/run.ts';
import type { CelIssue } from '../../cel/compile.ts';
import type { Diagnostic, PlaygroundRequest } from '../evaluation.ts';
import { parseYaml } from '../yaml/parse.ts';
import { scalarOffsets } from '../yaml/scalar-positions.ts';
import { rangeOf, utf16IndexOf } from '../yaml/positions.ts';
import { CEL_ENV_VARIABLES, DEFAULT_CEL_ENV, type CelEnvName } from './environments.ts';

export { CEL_ENV_VARIABLES, DEFAULT_CEL_ENV, type CelEnvName };

export type CelPageResult =
  | { outcome: 'value'; value: unknown; type: string; cost: number }
  | { outcome: 'error'; error: string; cost?: number; compileError: boolean }
  /** The inputs themselves are broken (YAML errors, wrong shapes): see the diagnostics. */
  | { outcome: 'invalid'; error: string };

export function evaluateCelPage(request: PlaygroundRequest): { result: CelPageResult; diagnostics: Diagnostic[] } {
  const env = (request.options.env ?? DEFAULT_CEL_ENV) as CelEnvName;
  const expression = request.docs.expression ?? '';
  const diagnostics: Diagnostic[] = [];

  const vars = parseYaml('vars', request.docs.vars ?? '');
  diagnostics.push(...vars.diagnostics);
  const varsValue = vars.value ?? {};
  if (vars.ok && (typeof varsValue !== 'object' || varsValue === null || Array.isArray(varsValue))) {
    diagnostics.push(
      whole('vars', request.docs.vars ?? '', 'error', 'the variables must be a mapping, such as `object: {...}`'),
    );
  }
  const known = CEL_ENV_VARIABLES[env];
  if (vars.ok && isMap(vars.doc.contents)) {
    for (const pair of vars.doc.contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!known.includes(key) && isScalar(pair.key) && pair.key.range) {
        diagnostics.push({
          doc: 'vars',
          severity: 'warning',
          message: `"${key}" is not a variable of the ${env} environment (it has ${known.join(', ')}); it is ignored`,
          range: rangeOf(request.docs.vars ?? '', pair.key.range[0], pair.key.range[1]),
        });
      }
    }
  }

  const variables =
    env === 'authn' ? { ok: true as const, list: [], nodes: [] } : compositedVariables(request.docs.variables ?? '');
  if (!variables.ok) diagnostics.push(...variables.diagnostics);

  if (diagnostics.some((d) => d.severity === 'error')) {
    return { result: { outcome: 'invalid', error: 'fix the marked input first' }, diagnostics };
  }

  const given = Object.fromEntries(
    Object.entries(varsValue as Record<string, unknown>).filter(([k]) => known.includes(k) && k !== 'authorizer'),
  );
  const authorizer = (varsValue as Record<string, unknown>).authorizer;
  const celRequest: CelRequest = {
    expression,
    env,
    version: request.version,
    vars: given,
    ...(variables.ok ? { variables: variables.list } : {}),
    ...(authorizer && typeof authorizer === 'object' ? { authorizer: authorizer as CelRequest['authorizer'] } : {}),
  };
  const response = runCelRequest(celRequest);
  if ('value' in response) {
    return {
      result: { outcome: 'value', value: response.value, type: response.type, cost: response.cost },
      diagnostics,
    };
  }
  if (response.compileError) {
    const inVariable = response.variable !== undefined && variables.ok;
    const node = inVariable ? variables.nodes.find((n) => n.name === response.variable) : undefined;
    for (const issue of response.issues ?? []) {
      diagnostics.push(
        node
          ? issueInYaml('variables', request.docs.variables ?? '', node, issue)
          : issueAt('expression', expression, issue),
      );
    }
    if (!response.issues?.length) {
      diagnostics.push(
        whole(
          node ? 'variables' : 'expression',
          node ? (request.docs.variables ?? '') : expression,
          'error',
          response.error,
        ),
      );
    }
  }
  return {
    result: {
      outcome: 'error',
      error: response.error,
      compileError: response.compileError ?? false,
      ...(response.cost !== undefined ? { cost: response.cost } : {}),
    },
    diagnostics,
  };
}

interface VariableNode {
  name: string;
  expression: string;
  /** Where the expression's characters are in the YAML text (undefined: mark the whole scalar). */
  offsets: number[] | undefined;
  range: [number, number];
}

/** `- name: x\n  expression: ...` items, as in a policy's `spec.variables`. */
function compositedVariables(
  text: string,
):
  | { ok: true; list: { name: string; expression: string }[]; nodes: VariableNode[] }
  | { ok: false; diagnostics: Diagnostic[] } {
  const parsed = parseYaml('variables', text);
  if (!parsed.ok) return { ok: false, diagnostics: parsed.diagnostics };
  const contents = parsed.doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return { ok: true, list: [], nodes: [] };
  const shape = 'the variables must be a list of {name, expression}, as in spec.variables';
  if (!isSeq(contents)) return { ok: false, diagnostics: [whole('variables', text, 'error', shape)] };
  const list: { name: string; expression: string }[] = [];
  const nodes: VariableNode[] = [];
  for (const item of contents.items) {
    const name = isMap(item) ? item.get('name', true) : undefined;
    const expression = isMap(item) ? item.get('expression', true) : undefined;
    if (!isScalar(name) || !isScalar(expression) || typeof expression.value !== 'string' || !expression.range) {
      return { ok: false, diagnostics: [whole('variables', text, 'error', shape)] };
    }
    list.push({ name: String(name.value), expression: expression.value });
    nodes.push({
      name: String(name.value),
      expression: expression.value,
      offsets: scalarOffsets(text, expression),
      range: [expression.range[0], expression.range[1]],
    });
  }
  return { ok: true, list, nodes };
}

function issueAt(doc: string, expression: string, issue: CelIssue): Diagnostic {
  const at = utf16IndexOf(expression, issue.offset);
  return { doc, severity: 'error', message: issue.message, range: rangeOf(expression, at, at + 1) };
}

function issueInYaml(doc: string, text: string, node: VariableNode, issue: CelIssue): Diagnostic {
  if (!node.offsets) return { doc, severity: 'error', message: issue.message, range: rangeOf(text, ...node.range) };
  const at = node.offsets[utf16IndexOf(node.expression, issue.offset)] ?? node.range[0];
  return { doc, severity: 'error', message: issue.message, range: rangeOf(text, at, at + 1) };
}

function whole(doc: string, text: string, severity: Diagnostic['severity'], message: string): Diagnostic {
  return {
    doc,
    severity,
    message,
    range: rangeOf(text, 0, Math.max(1, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'))),
  };
}
