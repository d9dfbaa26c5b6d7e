// A checking and evaluation environment: declared variables and object types, the function overloads of the
// libraries available at a Kubernetes version, and the enabled macros and options.

import type { Library, Overload } from './decls.ts';
import type { CelType, ObjectTypeDecl } from './types.ts';

export interface EnvironmentOptions {
  /** Kubernetes minor version (30 for 1.30). */
  version: number;
  /**
   * `stored`: every library the binary knows (evaluation, authentication); `new`: only libraries introduced at or
   * before the compatibility version (= version − 1), as kube-apiserver checks policies when they are written.
   */
  mode?: 'stored' | 'new';
  variables?: Record<string, CelType>;
  objectTypes?: ObjectTypeDecl[];
  libraries: Library[];
  /** OptionalTypes (Kubernetes 1.28+): the `.?`, `[?` and `{?` syntax. */
  optionalSyntax?: boolean;
  /** Whether the result type is checked, and the wording of the failure. */
  resultType?: ResultTypeRule;
  /** cel-go's literal validators for duration(), timestamp() and matches() (Kubernetes 1.29+; default on). */
  literalValidators?: boolean;
  /** HomogeneousAggregateLiterals (always on in Kubernetes; off in cel-go's default environment). */
  homogeneousAggregateLiterals?: boolean;
  /** Runtime options that differ per use. */
  runtime?: RuntimeOptions;
}

export interface ResultTypeRule {
  allowed: CelType[];
  /** `admission`: `must evaluate to bool but got dyn`; `authn`: `must evaluate to bool`. */
  style: 'admission' | 'authn';
}

export interface RuntimeOptions {
  /**
   * Kubernetes 1.34 authentication: field names in `claims`/`user` are unescaped (`__dot__` → `.`, ...) on
   * selection and indexing.
   */
  unescapeFieldNames?: boolean;
}

export interface Environment {
  readonly version: number;
  readonly mode: 'stored' | 'new';
  readonly variables: ReadonlyMap<string, CelType>;
  readonly objectTypes: ReadonlyMap<string, ObjectTypeDecl>;
  readonly overloads: ReadonlyMap<string, readonly Overload[]>;
  readonly macros: ReadonlySet<string>;
  readonly optionalSyntax: boolean;
  readonly homogeneousAggregateLiterals: boolean;
  readonly literalValidators: boolean;
  readonly libraries: readonly Library[];
  readonly resultType: ResultTypeRule | undefined;
  readonly runtime: RuntimeOptions;
}

export function createEnvironment(options: EnvironmentOptions): Environment {
  const mode = options.mode ?? 'stored';
  const effective = mode === 'new' ? options.version - 1 : options.version;
  const libraries = options.libraries.filter((l) => l.introduced <= effective);
  const overloads = new Map<string, Overload[]>();
  const macros = new Set<string>();
  const objectTypes = new Map<string, ObjectTypeDecl>();
  for (const lib of libraries) {
    for (const o of lib.overloads) {
      const list = overloads.get(o.fn) ?? [];
      list.push(o);
      overloads.set(o.fn, list);
    }
    for (const m of lib.macros ?? []) macros.add(m);
    for (const t of lib.types ?? []) objectTypes.set(t.name, t);
  }
  for (const t of options.objectTypes ?? []) objectTypes.set(t.name, t);
  return {
    version: options.version,
    mode,
    variables: new Map(Object.entries(options.variables ?? {})),
    objectTypes,
    overloads,
    macros,
    optionalSyntax: options.optionalSyntax ?? false,
    homogeneousAggregateLiterals: options.homogeneousAggregateLiterals ?? true,
    literalValidators: options.literalValidators ?? true,
    libraries,
    resultType: options.resultType,
    runtime: options.runtime ?? {},
  };
}
