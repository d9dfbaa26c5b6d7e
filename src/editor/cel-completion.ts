// What to suggest at a point in a CEL expression: the environment's variables, the fields of a variable as far
// as the sample values (or a schema turned into a sample shape) know them, and the library's functions.
// Pure, so it is tested without Monaco.

export interface CelCompletionContext {
  /** Variable name → a sample value (or a shape: an object whose keys are the known fields). */
  variables: Record<string, unknown>;
}

export interface CelSuggestion {
  label: string;
  kind: 'variable' | 'field' | 'function' | 'macro';
  detail?: string;
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

/** The dotted path ending at the cursor: `object.spec.` → ['object', 'spec'] and partial ''. */
export function pathBeforeCursor(textBefore: string): { path: string[]; partial: string } | undefined {
  const m = /((?:[A-Za-z_][A-Za-z0-9_]*\.\??)*)([A-Za-z_][A-Za-z0-9_]*)?$/.exec(textBefore);
  if (!m) return undefined;
  const path = (m[1] ?? '')
    .split('.')
    .filter(Boolean)
    .map((p) => p.replace(/^\?/, ''));
  const before = textBefore.slice(0, textBefore.length - m[0].length);
  // A member of something that is not a plain variable path (a call, an index, a literal): no field names.
  if (/[\])"'.]\??$/.test(before) || (path.length === 0 && /\.\??$/.test(before))) {
    return { path: ['<expression>'], partial: m[2] ?? '' };
  }
  return { path, partial: m[2] ?? '' };
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
  let value: unknown = at.path[0] === '<expression>' ? undefined : context.variables[at.path[0]!];
  for (const key of at.path.slice(1)) {
    value = isObject(value) ? value[key] : undefined;
  }
  const fields = isObject(value)
    ? Object.keys(value).map((label): CelSuggestion => ({ label, kind: 'field', detail: kindOf(value[label]) }))
    : [];
  return [...fields, ...[...new Set(MEMBER_FUNCTIONS)].map((label): CelSuggestion => ({ label, kind: 'function' }))];
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
