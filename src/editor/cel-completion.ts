// What to suggest at a point in a CEL expression: the environment's variables, the fields of a variable as far
// as the sample values (or a schema turned into a sample shape) know them, and the library's functions.
// Pure, so it is tested without Monaco.

import { INDEXED, ITERATED, fieldsAt, type RootSchema } from '../k8s/openapi/fields.ts';

export interface CelCompletionContext {
  /** Variable name → a sample value (or a shape: an object whose keys are the known fields). */
  variables: Record<string, unknown>;
  /** Variable name → the schema of its kind, whose fields are offered even when the sample lacks them. */
  schemas?: Record<string, RootSchema>;
}

export interface CelSuggestion {
  label: string;
  kind: 'variable' | 'field' | 'function' | 'macro';
  /** A field's CEL type, or a sample value's kind. */
  detail?: string;
  /** A field's description, from the schema. */
  documentation?: string;
}

const MACROS = ['has', 'all', 'exists', 'exists_one', 'map', 'filter'];
const GLOBAL_FUNCTIONS = [
  'size',
  'int',
  'uint',
  'double',
  'string',
  'bytes',
  'bool',
  'type',
  'dyn',
  'duration',
  'timestamp',
  'matches',
  'ip',
  'cidr',
  'isIP',
  'isCIDR',
  'url',
  'isURL',
  'quantity',
  'isQuantity',
  'semver',
  'isSemver',
  'optional.of',
  'optional.none',
  'optional.ofNonZeroValue',
];
const MEMBER_FUNCTIONS = [
  'size',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'find',
  'findAll',
  'split',
  'join',
  'lowerAscii',
  'upperAscii',
  'replace',
  'substring',
  'trim',
  'indexOf',
  'lastIndexOf',
  'charAt',
  'format',
  'quote',
  'isSorted',
  'sum',
  'min',
  'max',
  'indexOf',
  'lastIndexOf',
  'slice',
  'flatten',
  'reverse',
  'sort',
  'distinct',
  'all',
  'exists',
  'exists_one',
  'map',
  'filter',
  'orValue',
  'value',
  'hasValue',
  'getHostname',
  'getPort',
  'getScheme',
  'getQuery',
  'getEscapedPath',
  'family',
  'isLoopback',
  'containsIP',
  'containsCIDR',
  'prefixLength',
  'isGreaterThan',
  'isLessThan',
  'compareTo',
  'asInteger',
  'asApproximateFloat',
  'major',
  'minor',
  'patch',
];

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const INDEX = '\\[[^\\[\\]]*\\]';
// A chain of members ending at the cursor: `object.spec.containers[0].` then the word being typed.
const TRAILING_CHAIN = new RegExp(`((?:${IDENT}(?:${INDEX})*\\.\\??)*)(${IDENT})?$`);
const SEGMENT = new RegExp(`(${IDENT})((?:${INDEX})*)\\.\\??`, 'g');
// The receiver of a macro whose parenthesis is open at the end of the text: `spec.containers.all(`.
const MACRO_RECEIVER = new RegExp(
  `((?:${IDENT}(?:${INDEX})*\\.\\??)*${IDENT}(?:${INDEX})*)\\.(?:all|exists|exists_one|map|filter)\\($`,
);
const MACRO_CALL = /\.(?:all|exists|exists_one|map|filter)\($/;
const INDEXES = new RegExp(INDEX, 'g');
const EXPRESSION = '<expression>';

/** `a.b[0].c.` → ['a', 'b', INDEXED, 'c']. */
function segmentsOf(chain: string): string[] {
  const out: string[] = [];
  for (const m of chain.matchAll(SEGMENT)) {
    out.push(m[1]!);
    for (const _ of (m[2] ?? '').matchAll(INDEXES)) out.push(INDEXED);
  }
  return out;
}

/** A member of something that is not a plain variable path (a call, a literal, a bracketed expression). */
function followsExpression(before: string): boolean {
  return /[\])"'.]\??$/.test(before);
}

/**
 * The path of the variable a macro around the cursor binds to `name` (`containers.all(c, c.` binds c to
 * the containers' elements: [...containers path, ITERATED]), or undefined when no open macro binds it.
 */
function macroBinding(text: string, name: string): string[] | undefined {
  let level = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === ')') level++;
    else if (ch === '(' && level > 0) level--;
    else if (ch === '(') {
      const bound = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*,/.exec(text.slice(i + 1));
      if (bound?.[1] !== name || !MACRO_CALL.test(text.slice(0, i + 1))) continue;
      // Bound by a macro over something other than a variable path (a call's result): its type is unknown.
      const receiver = MACRO_RECEIVER.exec(text.slice(0, i + 1));
      if (!receiver) return [EXPRESSION];
      const before = text.slice(0, i + 1 - receiver[0].length);
      if (followsExpression(before)) return [EXPRESSION];
      return [...resolveBindings(before, segmentsOf(`${receiver[1]!}.`)), ITERATED];
    }
  }
  return undefined;
}

/** A path whose first name an enclosing macro binds, rewritten from that macro's receiver. */
function resolveBindings(before: string, path: string[]): string[] {
  const bound = path.length > 0 ? macroBinding(before, path[0]!) : undefined;
  return bound ? [...bound, ...path.slice(1)] : path;
}

/**
 * The path ending at the cursor: `object.spec.rep` → ['object', 'spec'] and partial 'rep'; an index is the
 * step INDEXED (`containers[0].` → [..., 'containers', INDEXED]); a variable bound by an enclosing macro
 * starts from the macro's receiver (`containers.all(c, c.` → [..., 'containers', ITERATED]). A member of
 * another expression (a call, a literal) has the path ['<expression>'].
 */
export function pathBeforeCursor(textBefore: string): { path: string[]; partial: string } | undefined {
  const m = TRAILING_CHAIN.exec(textBefore);
  if (!m) return undefined;
  const path = segmentsOf(m[1] ?? '');
  const before = textBefore.slice(0, textBefore.length - m[0].length);
  if (followsExpression(before) || (path.length === 0 && /\.\??$/.test(before))) {
    return { path: [EXPRESSION], partial: m[2] ?? '' };
  }
  return { path: resolveBindings(before, path), partial: m[2] ?? '' };
}

export function celSuggestions(textBefore: string, context: CelCompletionContext): CelSuggestion[] {
  const at = pathBeforeCursor(textBefore);
  if (!at) return [];
  if (at.path.length === 0) {
    return [
      ...Object.keys(context.variables).map((label): CelSuggestion => ({ label, kind: 'variable' })),
      ...MACROS.filter((m) => m === 'has').map((label): CelSuggestion => ({ label, kind: 'macro' })),
      ...GLOBAL_FUNCTIONS.map((label): CelSuggestion => ({ label, kind: 'function' })),
    ];
  }
  const [variable, ...steps] = at.path as [string, ...string[]];
  const known = variable === EXPRESSION ? undefined : context.schemas?.[variable];
  const fromSchema = known
    ? fieldsAt(known.api, known.schema, steps).map((f): CelSuggestion => ({
        label: f.name,
        kind: 'field',
        detail: f.type,
        ...(f.description ? { documentation: f.description } : {}),
      }))
    : [];
  let value: unknown = variable === EXPRESSION ? undefined : context.variables[variable];
  for (const step of steps) value = sampleStep(value, step);
  const named = new Set(fromSchema.map((f) => f.label));
  const fromSample = isObject(value)
    ? Object.keys(value)
        .filter((label) => !named.has(label))
        .map((label): CelSuggestion => ({ label, kind: 'field', detail: kindOf(value[label]) }))
    : [];
  return [
    ...fromSchema,
    ...fromSample,
    ...[...new Set(MEMBER_FUNCTIONS)].map((label): CelSuggestion => ({ label, kind: 'function' })),
  ];
}

/** One step into a sample value: a list's first element stands for all of them; a map's keys are strings. */
function sampleStep(value: unknown, step: string): unknown {
  if (step === INDEXED || step === ITERATED) return Array.isArray(value) ? value[0] : undefined;
  return isObject(value) ? value[step] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (isObject(value)) return 'map';
  if (typeof value === 'bigint') return 'int';
  return typeof value;
}
