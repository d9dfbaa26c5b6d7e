// What each playground page shows: its editors (in order), its options and its result panel. The frame
// (PlaygroundRoute) does the rest the same way for every page.

import type { ReactNode } from 'react';
import { parse } from 'yaml';
import { ADMISSION_EXAMPLES } from '../admission/examples.ts';
import { admissionEditorSchemas } from '../schemas/admission-schemas.ts';
import { DEFAULT_TOKEN_MODE } from '../authn/evaluate.ts';
import { authenticationConfigurationSchema } from '../authn/config-schema.ts';
import { AUTHN_EXAMPLES } from '../authn/examples.ts';
import { CEL_EXAMPLES } from '../cel/examples.ts';
import { CEL_ENV_VARIABLES, DEFAULT_CEL_ENV, type CelEnvName } from '../cel/environments.ts';
import type { PlaygroundExample } from '../examples.ts';
import type { RootSchema } from '../../k8s/openapi/fields.ts';
import type { JsonSchema } from '../../k8s/openapi/json-schema.ts';
import { celVariableSchemas, celVariablesSchema } from '../schemas/cel-variables.ts';
import type { KubeVersion, PlaygroundPage } from '../state.ts';
import { AdmissionResult } from './AdmissionResult.tsx';
import { AuthnResult, AuthnSigner } from './AuthnResult.tsx';
import { CelResult } from './CelResult.tsx';
import type { Shown } from './useEvaluation.ts';

export interface EditorSpec {
  doc: string;
  label: string;
  language: 'yaml' | 'cel' | 'plaintext';
  lines: number;
}

export interface OptionSpec {
  name: string;
  label: string;
  /** The allowed values; empty for a free-text option (then `placeholder` says what to type). */
  choices: readonly { value: string; label: string }[];
  initial: string;
  placeholder?: string;
}

/** What a page's own controls (beside its editors) may read and change. */
export interface PageActionContext {
  docs: Record<string, string>;
  options: Record<string, string>;
  /** Replaces several editors' texts and options at once (one undo step for the user). */
  change: (docs: Record<string, string>, options?: Record<string, string>) => void;
}

export type YamlSchemas = { doc: string; schema: JsonSchema }[];

export interface PageUi {
  title: string;
  editors: readonly EditorSpec[];
  options: readonly OptionSpec[];
  examples: readonly PlaygroundExample[];
  result: (shown: Shown) => ReactNode;
  /** Controls of the page's own, shown above its editors. */
  actions?: (context: PageActionContext) => ReactNode;
  /**
   * JSON Schemas for the page's YAML editors at a Kubernetes version (monaco-yaml validates and completes). May
   * answer later (the OpenAPI data of a version loads on first use); editors given the same schema object share
   * one copy in monaco-yaml.
   */
  yamlSchemas?: (version: KubeVersion) => YamlSchemas | Promise<YamlSchemas>;
  /** The variables a CEL editor can complete, with sample values (whose keys are the known fields). */
  celCompletion?: (docs: Record<string, string>, options: Record<string, string>) => Record<string, unknown>;
  /**
   * Beside celCompletion's samples: the schema of each variable whose kind is known (object from its sample's
   * apiVersion and kind…), so completion offers the kind's fields that the sample lacks, typed and documented.
   */
  celSchemas?: (
    docs: Record<string, string>,
    options: Record<string, string>,
    version: KubeVersion,
  ) => Promise<Record<string, RootSchema>>;
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
    yamlSchemas: async (version) => [{ doc: 'vars', schema: await celVariablesSchema(version) }],
    celSchemas: (docs, options, version) => {
      const env = (options.env as CelEnvName | undefined) ?? DEFAULT_CEL_ENV;
      return celVariableSchemas(asRecord(quietParse(docs.vars ?? '')), CEL_ENV_VARIABLES[env], version);
    },
  },
  authn: {
    title: 'Authentication',
    editors: [
      { doc: 'config', label: 'AuthenticationConfiguration (--authentication-config)', language: 'yaml', lines: 18 },
      { doc: 'token', label: 'Token (a compact JWT; mode jwt)', language: 'plaintext', lines: 4 },
      { doc: 'jwks', label: "The issuer's public JWKS (JSON or YAML; mode jwt)", language: 'yaml', lines: 6 },
      { doc: 'claims', label: 'Claims (YAML, signature taken as valid; mode claims)', language: 'yaml', lines: 10 },
    ],
    yamlSchemas: (version) => [{ doc: 'config', schema: authenticationConfigurationSchema(version) }],
    options: [
      {
        name: 'tokenMode',
        label: 'Token',
        choices: [
          { value: 'jwt', label: 'JWT verified with the JWKS' },
          { value: 'claims', label: 'Claims only (signature assumed)' },
        ],
        initial: DEFAULT_TOKEN_MODE,
      },
      { name: 'now', label: 'Now', choices: [], initial: '', placeholder: 'RFC 3339, empty: the current time' },
    ],
    examples: AUTHN_EXAMPLES,
    result: (shown) => <AuthnResult shown={shown} />,
    actions: (context) => <AuthnSigner {...context} />,
  },
  admission: {
    title: 'Admission policies',
    editors: [
      {
        doc: 'policy',
        label: 'Policies (MutatingAdmissionPolicy or ValidatingAdmissionPolicy; several separated by ---)',
        language: 'yaml',
        lines: 22,
      },
      { doc: 'binding', label: 'Bindings', language: 'yaml', lines: 10 },
      { doc: 'object', label: 'Object (the request body)', language: 'yaml', lines: 16 },
      { doc: 'oldObject', label: 'Old object (for UPDATE and DELETE)', language: 'yaml', lines: 4 },
      {
        doc: 'namespace',
        label: 'Namespace (empty: one with only its kubernetes.io/metadata.name label)',
        language: 'yaml',
        lines: 7,
      },
      {
        doc: 'request',
        label: 'Request (operation, userInfo; kind, resource, namespace and name come from the object)',
        language: 'yaml',
        lines: 5,
      },
      {
        doc: 'params',
        label: 'Params (the objects a paramRef selects from; several separated by ---)',
        language: 'yaml',
        lines: 6,
      },
    ],
    options: [],
    examples: ADMISSION_EXAMPLES,
    yamlSchemas: admissionEditorSchemas,
    result: (shown) => <AdmissionResult shown={shown} />,
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
