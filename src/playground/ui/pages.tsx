// What each playground page shows: its editors (in order), its options and its result panel. The frame
// (PlaygroundRoute) does the rest the same way for every page.

import type { ReactNode } from 'react';
import { parse } from 'yaml';
import { CEL_EXAMPLES } from '../cel/examples.ts';
import { CEL_ENV_VARIABLES, DEFAULT_CEL_ENV, type CelEnvName } from '../cel/environments.ts';
import type { PlaygroundExample } from '../examples.ts';
import type { PlaygroundPage } from '../state.ts';
import { CelResult } from './CelResult.tsx';
import type { Shown } from './useEvaluation.ts';

export interface EditorSpec {
  doc: string;
  label: string;
  language: 'yaml' | 'cel';
  lines: number;
}

export interface OptionSpec {
  name: string;
  label: string;
  choices: readonly { value: string; label: string }[];
  initial: string;
}

export interface PageUi {
  title: string;
  /** Whether the worker can evaluate it yet; a page that cannot says so loudly instead of showing editors. */
  built: boolean;
  editors: readonly EditorSpec[];
  options: readonly OptionSpec[];
  examples: readonly PlaygroundExample[];
  result: (shown: Shown) => ReactNode;
  /** The variables a CEL editor can complete, with sample values (whose keys are the known fields). */
  celCompletion?: (docs: Record<string, string>, options: Record<string, string>) => Record<string, unknown>;
}

const CEL_ENV_LABELS: Record<CelEnvName, string> = {
  mutation: 'Mutation (any result type)',
  validation: 'Validation (bool)',
  matchCondition: 'matchCondition (bool)',
  authn: 'Authentication claims',
};

export const PAGE_UI: Record<PlaygroundPage, PageUi> = {
  cel: {
    title: 'CEL',
    built: true,
    editors: [
      { doc: 'expression', label: 'Expression', language: 'cel', lines: 4 },
      {
        doc: 'vars',
        label: 'Variables (YAML: object, oldObject, request, params, namespaceObject, claims…)',
        language: 'yaml',
        lines: 16,
      },
      { doc: 'variables', label: 'Composited variables (spec.variables)', language: 'yaml', lines: 5 },
    ],
    options: [
      {
        name: 'env',
        label: 'Environment',
        choices: (Object.keys(CEL_ENV_LABELS) as CelEnvName[]).map((value) => ({
          value,
          label: CEL_ENV_LABELS[value],
        })),
        initial: DEFAULT_CEL_ENV,
      },
    ],
    examples: CEL_EXAMPLES,
    result: (shown) => <CelResult shown={shown} />,
    celCompletion: (docs, options) => {
      const env = (options.env as CelEnvName | undefined) ?? DEFAULT_CEL_ENV;
      const samples = asRecord(quietParse(docs.vars ?? ''));
      const variables: Record<string, unknown> = Object.fromEntries(
        CEL_ENV_VARIABLES[env].map((name) => [name, samples[name] ?? {}]),
      );
      if (env !== 'authn') {
        const list = quietParse(docs.variables ?? '');
        const names = Array.isArray(list) ? list.map((v) => asRecord(v).name).filter((n) => typeof n === 'string') : [];
        variables.variables = Object.fromEntries(names.map((n) => [n, {}]));
      }
      return variables;
    },
  },
  authn: {
    title: 'Authentication',
    built: false,
    editors: [],
    options: [],
    examples: [],
    result: () => null,
  },
  admission: {
    title: 'Admission policies',
    built: false,
    editors: [],
    options: [],
    examples: [],
    result: () => null,
  },
};

/** Completion works on half-typed YAML too: what does not parse gives no samples. */
function quietParse(text: string): unknown {
  try {
    return parse(text, { maxAliasCount: 100 }) as unknown;
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
