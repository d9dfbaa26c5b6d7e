// Runs the cel-spec conformance suite shipped in @bufbuild/cel-spec against this package, in an environment with
// every library at the newest supported Kubernetes version, cel-go's default options (no homogeneous literal
// check) and the test's own declarations and bindings. Returns pass/fail per test with a one-line reason.

import type { Value as ProtoValue } from '@bufbuild/cel-spec/cel/expr/value_pb.js';
import type { Type as ProtoType } from '@bufbuild/cel-spec/cel/expr/checked_pb.js';
import { getConformanceSuite, type IncrementalTestSuite } from '@bufbuild/cel-spec/testdata/tests.js';
import { compile, evaluate } from '../compile.ts';
import { createEnvironment } from '../env.ts';
import { KUBERNETES_LIBRARIES } from '../kubernetes.ts';
import { T, typeString, type CelType } from '../types.ts';
import { MapValue, TypeValue, celUint, equals, isList, typeName, type Value } from '../values.ts';

export interface ConformanceResult {
  file: string;
  /** `file/section/test`, as cel-spec names them. */
  id: string;
  expr: string;
  pass: boolean;
  reason?: string;
}

class Unsupported extends Error {}

function fromProtoType(t: ProtoType): CelType {
  const k = t.typeKind;
  switch (k.case) {
    case 'dyn':
      return T.dyn;
    case 'null':
      return T.null;
    case 'primitive':
      return [T.dyn, T.bool, T.int, T.uint, T.double, T.string, T.bytes][k.value] ?? T.dyn;
    case 'wellKnown':
      return [T.dyn, T.any, T.timestamp, T.duration][k.value] ?? T.dyn;
    case 'listType':
      return T.list(k.value.elemType ? fromProtoType(k.value.elemType) : T.dyn);
    case 'mapType':
      return T.map(
        k.value.keyType ? fromProtoType(k.value.keyType) : T.dyn,
        k.value.valueType ? fromProtoType(k.value.valueType) : T.dyn,
      );
    case 'type':
      return T.type(fromProtoType(k.value));
    case 'typeParam':
      return T.param(k.value);
    case 'abstractType':
      return T.opaque(k.value.name, ...k.value.parameterTypes.map(fromProtoType));
    case 'messageType':
      if (k.value === 'google.protobuf.Timestamp') return T.timestamp;
      if (k.value === 'google.protobuf.Duration') return T.duration;
      throw new Unsupported(`protobuf message type ${k.value}`);
    default:
      throw new Unsupported(`type kind ${String(k.case)}`);
  }
}

function fromProtoValue(v: ProtoValue): Value {
  const k = v.kind;
  switch (k.case) {
    case 'nullValue':
      return null;
    case 'boolValue':
    case 'stringValue':
    case 'doubleValue':
      return k.value;
    case 'int64Value':
      return k.value;
    case 'uint64Value':
      return celUint(k.value);
    case 'bytesValue':
      return k.value;
    case 'listValue':
      return Object.freeze(k.value.values.map(fromProtoValue));
    case 'mapValue':
      return new MapValue(k.value.entries.map((e) => [fromProtoValue(e.key!), fromProtoValue(e.value!)] as const));
    case 'typeValue':
      return new TypeValue(k.value);
    case 'objectValue':
      throw new Unsupported(`protobuf message value ${k.value.typeUrl}`);
    case 'enumValue':
      throw new Unsupported('protobuf enum value');
    default:
      throw new Unsupported(`value kind ${String(k.case)}`);
  }
}

/** Equality that also requires the same types (1 and 1u differ), as the conformance suite compares. */
function sameValue(a: Value, b: Value): boolean {
  if (typeName(a) !== typeName(b)) return false;
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return true;
  if (isList(a) && isList(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]!));
  if (a instanceof MapValue && b instanceof MapValue) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a.entries()) {
      const w = b.get(k);
      if (w === undefined || !sameValue(v, w)) return false;
    }
    return true;
  }
  return equals(a, b);
}

function show(v: Value): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) =>
      typeof x === 'bigint'
        ? `${x}`
        : x instanceof MapValue
          ? Object.fromEntries([...x.entries()].map(([k, y]) => [String(k), y]))
          : x,
    );
  } catch {
    return typeName(v);
  }
}

function runOne(t: IncrementalTestSuite['tests'][number]): { pass: boolean; reason?: string } {
  const o = t.original;
  try {
    if (o.container) throw new Unsupported(`container ${o.container} (protobuf namespaces)`);
    const variables: Record<string, CelType> = {};
    for (const d of o.typeEnv) {
      if (d.declKind.case !== 'ident') throw new Unsupported('function declarations in type_env');
      variables[d.name] = d.declKind.value.type ? fromProtoType(d.declKind.value.type) : T.dyn;
    }
    const env = createEnvironment({
      version: 34,
      libraries: [...KUBERNETES_LIBRARIES],
      variables,
      optionalSyntax: true,
      homogeneousAggregateLiterals: false,
      literalValidators: false,
    });
    const bindings: Record<string, Value> = {};
    for (const [name, ev] of Object.entries(o.bindings)) {
      if (ev.kind.case !== 'value') throw new Unsupported(`binding kind ${String(ev.kind.case)}`);
      bindings[name] = fromProtoValue(ev.kind.value);
    }
    const c = compile(o.expr, env, { skipCheckErrors: o.disableCheck });
    const m = o.resultMatcher;
    if (!c.ok) return { pass: false, reason: `compile error: ${c.message.split('\n')[0]}` };
    if (m.case === 'typedResult' && m.value.deducedType) {
      const want = typeString(fromProtoType(m.value.deducedType));
      if (typeString(c.type) !== want)
        return { pass: false, reason: `deduced type ${typeString(c.type)}, want ${want}` };
      if (o.checkOnly) return { pass: true };
    }
    if (o.checkOnly) return { pass: true };
    const r = evaluate(c.program, bindings);
    switch (m.case) {
      case 'evalError':
      case 'anyEvalErrors':
        return r.ok ? { pass: false, reason: `expected an error, got ${show(r.value)}` } : { pass: true };
      case 'value':
      case 'typedResult':
      case undefined: {
        const want =
          m.case === 'value'
            ? fromProtoValue(m.value)
            : m.case === 'typedResult' && m.value.result
              ? fromProtoValue(m.value.result)
              : true;
        if (!r.ok) return { pass: false, reason: `error: ${r.error}` };
        return sameValue(r.value, want)
          ? { pass: true }
          : { pass: false, reason: `got ${show(r.value)}, want ${show(want)}` };
      }
      default:
        throw new Unsupported(`result matcher ${String(m.case)}`);
    }
  } catch (e) {
    if (e instanceof Unsupported) return { pass: false, reason: `unsupported: ${e.message}` };
    return { pass: false, reason: `crash: ${(e as Error).message}` };
  }
}

/** Files of extensions kube-apiserver does not load. */
export const NOT_IN_KUBERNETES = new Set(['math_ext', 'block_ext', 'bindings_ext', 'encoders_ext', 'proto2_ext']);
/** Files about protobuf messages, enums and wrappers, which Kubernetes CEL does not have. */
export const PROTOBUF_FILES = new Set(['dynamic', 'enums', 'proto2', 'proto3', 'wrappers', 'namespace']);

const PROTOBUF =
  /TestAllTypes|google\.protobuf\.(?!Timestamp|Duration)|cel\.expr\.conformance|unsupported: (container|protobuf)/;

/** The one-line reason recorded for a failure in known-failures.txt. */
export function classify(r: ConformanceResult): string {
  if (NOT_IN_KUBERNETES.has(r.file)) return `extension not in Kubernetes' environment (${r.file})`;
  if (PROTOBUF_FILES.has(r.file) || PROTOBUF.test(r.expr) || PROTOBUF.test(r.reason ?? '')) {
    return 'protobuf messages, enums, wrappers or containers: Kubernetes CEL has none';
  }
  if (r.expr.includes('`')) return 'backtick-quoted field names: not available in Kubernetes CEL';
  if (
    r.id === 'string_ext/value_errors/indexof_out_of_range' ||
    r.id === 'string_ext/value_errors/lastindexof_out_of_range'
  ) {
    return 'kube-apiserver (cel-go v0.26, strings v2) returns -1 for an offset past the end, checked against k8s.io/apiserver v0.34.1';
  }
  if (r.id.startsWith('string_ext/format/') && /×10/.test(r.reason ?? '')) {
    return "Kubernetes loads ext strings v2, whose %e renders a superscript power of ten ('1.052033×10⁰³'), checked against k8s.io/apiserver v0.34.1";
  }
  return (r.reason ?? '').replace(/\s+/g, ' ').slice(0, 200);
}

export function runConformance(): ConformanceResult[] {
  const out: ConformanceResult[] = [];
  for (const file of getConformanceSuite().suites) {
    for (const section of file.suites) {
      for (const t of section.tests) {
        const r = runOne(t);
        out.push({ file: file.name, id: `${file.name}/${section.name}/${t.name}`, expr: t.original.expr, ...r });
      }
    }
    for (const t of file.tests) {
      const r = runOne(t);
      out.push({ file: file.name, id: `${file.name}/${t.name}`, expr: t.original.expr, ...r });
    }
  }
  return out;
}
