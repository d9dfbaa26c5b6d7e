// Where a Kubernetes field path (`jwt[0].claimMappings.username.prefix`) is in a YAML text, so a validation error
// or a trace step can be shown on the line it is about. A path that does not exist in the text (a Required field
// that is missing) lands on the deepest part that does: the mapping it should have been in.

import { isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';

export type PathSegment = string | number;

/** `jwt[0].issuer.url` → ['jwt', 0, 'issuer', 'url']; undefined when it is not a plain field path. */
export function parseFieldPath(path: string): PathSegment[] | undefined {
  const out: PathSegment[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\./g;
  let at = 0;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m.index !== at) return undefined;
    at = re.lastIndex;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
  }
  return at === path.length && out.length ? out : undefined;
}

export interface FieldLocation {
  /** Whether the whole path exists in the text. */
  exact: boolean;
  /** Offsets in the text to mark: a scalar value, or the key of a mapping or list (not the whole block). */
  from: number;
  to: number;
  /** The value node when the path exists and is a scalar (for positions inside a CEL string). */
  scalar?: Scalar;
}

export function locateField(doc: Document.Parsed, path: string): FieldLocation | undefined {
  const segments = parseFieldPath(path);
  if (!segments) return undefined;
  let node: Node | null | undefined = doc.contents as Node | null;
  let best: { from: number; to: number } | undefined;
  let depth = 0;
  for (const segment of segments) {
    let next: Node | undefined;
    /** The key (or list item) that leads to `next`: what is marked for a collection. */
    let handle: Node | undefined;
    if (typeof segment === 'string' && isMap(node)) {
      const map: YAMLMap<unknown, unknown> = node;
      const pair: Pair<unknown, unknown> | undefined = map.items.find(
        (p) => isScalar(p.key) && p.key.value === segment,
      );
      if (pair) {
        handle = pair.key as Node;
        next = (pair.value as Node | null) ?? handle;
      }
    } else if (typeof segment === 'number' && isSeq(node)) {
      next = (node.items[segment] as Node | undefined) ?? undefined;
      handle = next;
    }
    if (!next) break;
    node = next;
    best = mark(next, handle) ?? best;
    depth++;
  }
  if (!best) return undefined;
  const exact = depth === segments.length;
  return { exact, ...best, ...(exact && isScalar(node) ? { scalar: node } : {}) };
}

function mark(node: Node, handle: Node | undefined): { from: number; to: number } | undefined {
  // A scalar is marked itself (an empty one by its key); a mapping or list by the key that names it, or, for a
  // list item, by its first key.
  let target: Node = node;
  const empty = isScalar(node) && (!node.range || node.range[1] <= node.range[0]);
  if ((!isScalar(node) || empty) && handle && handle !== node) target = handle;
  if (isMap(target) && target.items[0] && isScalar(target.items[0].key)) target = target.items[0].key;
  const range = target.range;
  if (!range) return undefined;
  return { from: range[0], to: Math.max(isScalar(target) ? range[1] : range[0] + 1, range[0] + 1) };
}
