// A recursive-descent CEL parser (cel-spec grammar, with the optional syntax `.?`, `[?`, `{?` and the macros of
// cel-go including two-variable comprehensions). It emits the AST of ast.ts with macro calls already expanded
// into comprehensions, as cel-go's parser does, and records the source offset of every node for error positions.

import type { Comprehension, Constant, Expr, FieldInit, MapEntry, ParsedExpr } from './ast.ts';
import { SyntaxError_, tokenize, type Token } from './lexer.ts';
import { RESERVED_WORDS } from './reserved.ts';

export interface ParserOptions {
  /** Macros enabled in this environment (names as written: `all`, `exists`, `transformList`, ...). */
  macros: ReadonlySet<string>;
  /** Whether `.?`, `[?` and `{?` are accepted (OptionalTypes, Kubernetes 1.28+). */
  optionalSyntax: boolean;
  /** Maximum nesting of the expression (cel-go's parser recursion limit is 250). */
  maxDepth?: number;
}

export class ParseError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const RESERVED = new Set(RESERVED_WORDS);

const ACCU = '@result';
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

export function parse(text: string, options: ParserOptions): ParsedExpr {
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (e) {
    if (e instanceof SyntaxError_) throw new ParseError(`Syntax error: ${e.message}`, e.offset);
    throw e;
  }
  const p = new Parser(tokens, options);
  const expr = p.parseExpr();
  const tok = p.peek();
  if (tok.kind !== 'eof') p.fail(tok, `Syntax error: extraneous input '${tok.text}' expecting <EOF>`);
  return { expr, source: { text, positions: p.positions } };
}

class Parser {
  private pos = 0;
  private nextId = 1;
  private depth = 0;
  readonly positions = new Map<number, number>();
  private readonly maxDepth: number;

  constructor(
    private readonly tokens: Token[],
    private readonly options: ParserOptions,
  ) {
    this.maxDepth = options.maxDepth ?? 250;
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private isPunct(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'punct' && t.text === text;
  }
  private accept(text: string): Token | undefined {
    if (this.isPunct(text)) return this.next();
    return undefined;
  }
  private expect(text: string): Token {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === text) return this.next();
    return this.fail(t, `Syntax error: mismatched input '${t.text}' expecting '${text}'`);
  }
  fail(t: Token, message: string): never {
    throw new ParseError(message, t.offset);
  }
  private id(offset: number): number {
    const id = this.nextId++;
    this.positions.set(id, offset);
    return id;
  }

  parseExpr(): Expr {
    if (++this.depth > this.maxDepth) {
      this.fail(this.peek(), `expression recursion limit exceeded: ${this.maxDepth}`);
    }
    try {
      const cond = this.parseOr();
      const q = this.accept('?');
      if (!q) return cond;
      const a = this.parseOr();
      this.expect(':');
      const b = this.parseExpr();
      return this.call(q.offset, '_?_:_', [cond, a, b]);
    } finally {
      this.depth--;
    }
  }

  private call(offset: number, fn: string, args: Expr[], target?: Expr): Expr {
    const e: Expr = { id: this.id(offset), kind: 'call', fn, args };
    if (target) e.target = target;
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    for (let t = this.accept('||'); t; t = this.accept('||'))
      left = this.call(t.offset, '_||_', [left, this.parseAnd()]);
    return left;
  }
  private parseAnd(): Expr {
    let left = this.parseRelation();
    for (let t = this.accept('&&'); t; t = this.accept('&&')) {
      left = this.call(t.offset, '_&&_', [left, this.parseRelation()]);
    }
    return left;
  }
  private parseRelation(): Expr {
    let left = this.parseAddition();
    for (;;) {
      const t = this.peek();
      const ops: Record<string, string> = {
        '<': '_<_',
        '<=': '_<=_',
        '>': '_>_',
        '>=': '_>=_',
        '==': '_==_',
        '!=': '_!=_',
      };
      if (t.kind === 'punct' && t.text in ops) {
        this.next();
        left = this.call(t.offset, ops[t.text]!, [left, this.parseAddition()]);
      } else if (t.kind === 'ident' && t.text === 'in') {
        this.next();
        left = this.call(t.offset, '@in', [left, this.parseAddition()]);
      } else return left;
    }
  }
  private parseAddition(): Expr {
    let left = this.parseMultiplication();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && (t.text === '+' || t.text === '-')) {
        this.next();
        left = this.call(t.offset, t.text === '+' ? '_+_' : '_-_', [left, this.parseMultiplication()]);
      } else return left;
    }
  }
  private parseMultiplication(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && (t.text === '*' || t.text === '/' || t.text === '%')) {
        this.next();
        const fn = t.text === '*' ? '_*_' : t.text === '/' ? '_/_' : '_%_';
        left = this.call(t.offset, fn, [left, this.parseUnary()]);
      } else return left;
    }
  }
  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isPunct('!')) {
      const ops: Token[] = [];
      while (this.isPunct('!')) ops.push(this.next());
      if (this.depth + ops.length > this.maxDepth)
        this.fail(t, `expression recursion limit exceeded: ${this.maxDepth}`);
      let e = this.parseMember();
      for (let i = ops.length - 1; i >= 0; i--) e = this.call(ops[i]!.offset, '!_', [e]);
      return e;
    }
    if (this.isPunct('-')) {
      const ops: Token[] = [];
      while (this.isPunct('-')) ops.push(this.next());
      if (this.depth + ops.length > this.maxDepth)
        this.fail(t, `expression recursion limit exceeded: ${this.maxDepth}`);
      // A single minus directly before a number literal is part of the literal (so int64 min is writable).
      const lit = this.peek();
      if (ops.length % 2 === 1 && (lit.kind === 'int' || lit.kind === 'double') && !this.isMemberContinuation(1)) {
        this.next();
        let e = this.literal(lit, true, t.offset);
        for (let i = ops.length - 2; i >= 0; i--) e = this.call(ops[i]!.offset, '-_', [e]);
        return e;
      }
      let e = this.parseMember();
      for (let i = ops.length - 1; i >= 0; i--) e = this.call(ops[i]!.offset, '-_', [e]);
      return e;
    }
    return this.parseMember();
  }
  private isMemberContinuation(ahead: number): boolean {
    return this.isPunct('.', ahead) || this.isPunct('[', ahead);
  }

  private parseMember(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      const dot = this.accept('.');
      if (dot) {
        const opt = this.options.optionalSyntax && this.isPunct('?') ? this.next() : undefined;
        const nameTok = this.peek();
        if (nameTok.kind !== 'ident')
          this.fail(nameTok, `Syntax error: mismatched input '${nameTok.text}' expecting IDENTIFIER`);
        this.next();
        if (opt) {
          e = this.call(dot.offset, '_?._', [
            e,
            this.constant(nameTok.offset, { kind: 'string', value: nameTok.text }),
          ]);
          continue;
        }
        const open = this.accept('(');
        if (open) {
          const args = this.parseArgs(')');
          e = this.memberCall(open.offset, nameTok.text, e, args);
          continue;
        }
        if (this.isPunct('{') && isQualifiedName(e)) {
          e = this.parseStruct(`${qualifiedName(e)}.${nameTok.text}`);
          continue;
        }
        e = { id: this.id(dot.offset), kind: 'select', operand: e, field: nameTok.text, testOnly: false };
        continue;
      }
      const open = this.accept('[');
      if (open) {
        const opt = this.options.optionalSyntax && this.isPunct('?') ? this.next() : undefined;
        const index = this.parseExpr();
        this.expect(']');
        e = this.call(open.offset, opt ? '_[?_]' : '_[_]', [e, index]);
        continue;
      }
      return e;
    }
  }

  private parseArgs(close: string): Expr[] {
    const args: Expr[] = [];
    if (this.accept(close)) return args;
    const t = this.peek();
    const startsExpr = t.kind !== 'eof' && (t.kind !== 'punct' || ['[', '{', '(', '.', '-', '!'].includes(t.text));
    if (!startsExpr) {
      // As ANTLR reports it, the empty argument list makes ')' one of the expected tokens.
      this.fail(
        t,
        `Syntax error: mismatched input '${t.text}' expecting {'[', '{', '(', ')', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`,
      );
    }
    for (;;) {
      args.push(this.parseExpr());
      if (this.accept(close)) return args;
      this.expect(',');
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'int':
      case 'uint':
      case 'double':
      case 'string':
      case 'bytes':
        this.next();
        return this.literal(t, false, t.offset);
      case 'ident': {
        this.next();
        if (t.text === 'true' || t.text === 'false')
          return this.constant(t.offset, { kind: 'bool', value: t.text === 'true' });
        if (t.text === 'null') return this.constant(t.offset, { kind: 'null' });
        if (t.text === 'in') this.fail(t, `Syntax error: mismatched input 'in'`);
        const open = this.accept('(');
        if (open) {
          if (RESERVED.has(t.text)) this.fail(t, `reserved identifier: ${t.text}`);
          const args = this.parseArgs(')');
          return this.globalCall(open.offset, t.text, args);
        }
        if (RESERVED.has(t.text)) this.fail(t, `reserved identifier: ${t.text}`);
        if (this.isPunct('{')) return this.parseStruct(t.text);
        return { id: this.id(t.offset), kind: 'ident', name: t.text };
      }
      case 'punct':
        if (t.text === '.') {
          // Leading dot: a name resolved from the root scope.
          this.next();
          const n = this.peek();
          if (n.kind !== 'ident') this.fail(n, `Syntax error: mismatched input '${n.text}' expecting IDENTIFIER`);
          this.next();
          if (this.isPunct('(')) {
            const open = this.next();
            return this.globalCall(open.offset, `.${n.text}`, this.parseArgs(')'));
          }
          if (this.isPunct('{')) return this.parseStruct(`.${n.text}`);
          return { id: this.id(n.offset), kind: 'ident', name: `.${n.text}` };
        }
        if (t.text === '(') {
          this.next();
          const e = this.parseExpr();
          this.expect(')');
          return e;
        }
        if (t.text === '[') {
          this.next();
          return this.parseList(t.offset);
        }
        if (t.text === '{') {
          this.next();
          return this.parseMap(t.offset);
        }
        break;
      default:
        break;
    }
    if (t.kind === 'eof')
      return this.fail(
        t,
        `Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`,
      );
    return this.fail(
      t,
      `Syntax error: mismatched input '${t.text}' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`,
    );
  }

  private parseList(offset: number): Expr {
    const elements: Expr[] = [];
    const optionalIndices: number[] = [];
    const id = this.id(offset);
    while (!this.isPunct(']')) {
      if (this.options.optionalSyntax && this.accept('?')) optionalIndices.push(elements.length);
      elements.push(this.parseExpr());
      if (!this.accept(',')) break;
    }
    this.expect(']');
    return { id, kind: 'list', elements, optionalIndices };
  }

  private parseMap(offset: number): Expr {
    const id = this.id(offset);
    const entries: MapEntry[] = [];
    while (!this.isPunct('}')) {
      const optional = this.options.optionalSyntax && !!this.accept('?');
      const key = this.parseExpr();
      const colon = this.expect(':');
      const value = this.parseExpr();
      entries.push({ id: this.id(colon.offset), key, value, optional });
      if (!this.accept(',')) break;
    }
    this.expect('}');
    return { id, kind: 'map', entries };
  }

  private parseStruct(typeName: string): Expr {
    const open = this.expect('{');
    const id = this.id(open.offset);
    const fields: FieldInit[] = [];
    while (!this.isPunct('}')) {
      const optional = this.options.optionalSyntax && !!this.accept('?');
      const f = this.peek();
      if (f.kind !== 'ident') this.fail(f, `Syntax error: mismatched input '${f.text}' expecting IDENTIFIER`);
      this.next();
      const colon = this.expect(':');
      fields.push({ id: this.id(colon.offset), field: f.text, value: this.parseExpr(), optional });
      if (!this.accept(',')) break;
    }
    this.expect('}');
    return { id, kind: 'struct', typeName, fields };
  }

  private constant(offset: number, value: Constant): Expr {
    return { id: this.id(offset), kind: 'const', value };
  }

  private literal(t: Token, negative: boolean, offset: number): Expr {
    switch (t.kind) {
      case 'int': {
        let v = parseIntLiteral(t.text);
        if (negative) v = -v;
        if (v > INT64_MAX || v < -INT64_MAX - 1n) this.fail(t, `invalid int literal`);
        return this.constant(offset, { kind: 'int', value: v });
      }
      case 'uint': {
        const v = parseIntLiteral(t.text);
        if (v > UINT64_MAX) this.fail(t, `invalid uint literal`);
        return this.constant(offset, { kind: 'uint', value: v });
      }
      case 'double': {
        const v = Number(t.text);
        return this.constant(offset, { kind: 'double', value: negative ? -v : v });
      }
      case 'string':
        return this.constant(offset, { kind: 'string', value: t.str ?? '' });
      case 'bytes':
        return this.constant(offset, { kind: 'bytes', value: t.bytes ?? new Uint8Array() });
      default:
        return this.fail(t, `Syntax error: unexpected '${t.text}'`);
    }
  }

  private globalCall(offset: number, fn: string, args: Expr[]): Expr {
    if (fn === 'has' && this.options.macros.has('has') && args.length === 1) {
      const a = args[0]!;
      if (a.kind !== 'select')
        this.fail(this.tokAt(this.positions.get(a.id) ?? offset), 'invalid argument to has() macro');
      return { ...a, id: this.id(offset), testOnly: true };
    }
    return this.call(offset, fn, args);
  }

  private tokAt(offset: number): Token {
    return { kind: 'punct', text: '', offset };
  }

  private iterName(e: Expr, offset: number): string {
    if (e.kind !== 'ident' || e.name.startsWith('.'))
      this.fail(this.tokAt(this.positions.get(e.id) ?? offset), 'argument must be a simple name');
    if (e.name === ACCU) this.fail(this.tokAt(offset), 'iteration variable overwrites accumulator variable');
    return e.name;
  }

  private memberCall(offset: number, fn: string, target: Expr, args: Expr[]): Expr {
    const m = this.options.macros;
    const n = args.length;
    const oneVar = { all: [2], exists: [2], exists_one: [2], map: [2, 3], filter: [2] } as Record<string, number[]>;
    if (m.has(fn) && oneVar[fn]?.includes(n)) return this.expandOneVar(offset, fn, target, args);
    if (m.has(`${fn}/2var`) && ['all', 'exists', 'existsOne', 'exists_one'].includes(fn) && n === 3) {
      return this.expandTwoVarQuantifier(offset, fn, target, args);
    }
    if (
      m.has(`${fn}/2var`) &&
      ['transformList', 'transformMap', 'transformMapEntry'].includes(fn) &&
      (n === 3 || n === 4)
    ) {
      return this.expandTransform(offset, fn, target, args);
    }
    if (fn === 'sortBy' && m.has('sortBy') && n === 2) {
      const keys = this.expandOneVar(offset, 'map', target, args);
      return this.call(offset, '@sortByAssociatedKeys', [target, keys]);
    }
    if ((fn === 'optMap' || fn === 'optFlatMap') && m.has(fn) && n === 2) {
      return this.expandOptMap(offset, fn, target, args);
    }
    return this.call(offset, fn, args, target);
  }

  private ident(offset: number, name: string): Expr {
    return { id: this.id(offset), kind: 'ident', name };
  }

  private fold(
    offset: number,
    macro: string,
    range: Expr,
    iterVar: string,
    iterVar2: string,
    init: Expr,
    cond: Expr,
    step: Expr,
    result: Expr,
  ): Comprehension {
    return {
      id: this.id(offset),
      kind: 'comprehension',
      iterRange: range,
      iterVar,
      iterVar2,
      accuVar: ACCU,
      accuInit: init,
      loopCondition: cond,
      loopStep: step,
      result,
      macro,
    };
  }

  private quantifier(offset: number, fn: string, range: Expr, v1: string, v2: string, pred: Expr): Comprehension {
    const acc = () => this.ident(offset, ACCU);
    if (fn === 'all') {
      return this.fold(
        offset,
        fn,
        range,
        v1,
        v2,
        this.constant(offset, { kind: 'bool', value: true }),
        this.call(offset, '@not_strictly_false', [acc()]),
        this.call(offset, '_&&_', [acc(), pred]),
        acc(),
      );
    }
    if (fn === 'exists') {
      return this.fold(
        offset,
        fn,
        range,
        v1,
        v2,
        this.constant(offset, { kind: 'bool', value: false }),
        this.call(offset, '@not_strictly_false', [this.call(offset, '!_', [acc()])]),
        this.call(offset, '_||_', [acc(), pred]),
        acc(),
      );
    }
    // exists_one / existsOne: count matches, true when exactly one.
    return this.fold(
      offset,
      fn,
      range,
      v1,
      v2,
      this.constant(offset, { kind: 'int', value: 0n }),
      this.constant(offset, { kind: 'bool', value: true }),
      this.call(offset, '_?_:_', [
        pred,
        this.call(offset, '_+_', [acc(), this.constant(offset, { kind: 'int', value: 1n })]),
        acc(),
      ]),
      this.call(offset, '_==_', [acc(), this.constant(offset, { kind: 'int', value: 1n })]),
    );
  }

  private expandOneVar(offset: number, fn: string, target: Expr, args: Expr[]): Expr {
    const v = this.iterName(args[0]!, offset);
    const acc = () => this.ident(offset, ACCU);
    if (fn === 'all' || fn === 'exists' || fn === 'exists_one')
      return this.quantifier(offset, fn, target, v, '', args[1]!);
    const empty = (): Expr => ({ id: this.id(offset), kind: 'list', elements: [], optionalIndices: [] });
    const append = (e: Expr): Expr =>
      this.call(offset, '_+_', [acc(), { id: this.id(offset), kind: 'list', elements: [e], optionalIndices: [] }]);
    const t = this.constant(offset, { kind: 'bool', value: true });
    if (fn === 'map') {
      const step =
        args.length === 3 ? this.call(offset, '_?_:_', [args[1]!, append(args[2]!), acc()]) : append(args[1]!);
      return this.fold(offset, fn, target, v, '', empty(), t, step, acc());
    }
    // filter
    const step = this.call(offset, '_?_:_', [args[1]!, append(this.ident(offset, v)), acc()]);
    return this.fold(offset, fn, target, v, '', empty(), t, step, acc());
  }

  private expandTwoVarQuantifier(offset: number, fn: string, target: Expr, args: Expr[]): Expr {
    const v1 = this.iterName(args[0]!, offset);
    const v2 = this.iterName(args[1]!, offset);
    if (v1 === v2) this.fail(this.tokAt(offset), `duplicate variable name: ${v1}`);
    const kind = fn === 'existsOne' ? 'exists_one' : fn;
    const c = this.quantifier(offset, kind, target, v1, v2, args[2]!);
    c.macro = fn;
    return c;
  }

  private expandTransform(offset: number, fn: string, target: Expr, args: Expr[]): Expr {
    const v1 = this.iterName(args[0]!, offset);
    const v2 = this.iterName(args[1]!, offset);
    if (v1 === v2) this.fail(this.tokAt(offset), `duplicate variable name: ${v1}`);
    const acc = () => this.ident(offset, ACCU);
    const filter = args.length === 4 ? args[2] : undefined;
    const body = args[args.length - 1]!;
    let init: Expr;
    let step: Expr;
    if (fn === 'transformList') {
      init = { id: this.id(offset), kind: 'list', elements: [], optionalIndices: [] };
      step = this.call(offset, '_+_', [
        acc(),
        { id: this.id(offset), kind: 'list', elements: [body], optionalIndices: [] },
      ]);
    } else if (fn === 'transformMap') {
      init = { id: this.id(offset), kind: 'map', entries: [] };
      step = this.call(offset, 'cel.@mapInsert', [acc(), this.ident(offset, v1), body]);
    } else {
      init = { id: this.id(offset), kind: 'map', entries: [] };
      step = this.call(offset, 'cel.@mapInsert', [acc(), body]);
    }
    if (filter) step = this.call(offset, '_?_:_', [filter, step, acc()]);
    return this.fold(
      offset,
      fn,
      target,
      v1,
      v2,
      init,
      this.constant(offset, { kind: 'bool', value: true }),
      step,
      acc(),
    );
  }

  private expandOptMap(offset: number, fn: string, target: Expr, args: Expr[]): Expr {
    const v = this.iterName(args[0]!, offset);
    // Like cel-go: bind the unwrapped value to the variable with a zero-iteration comprehension (cel.bind).
    const bind = this.fold(
      offset,
      fn,
      { id: this.id(offset), kind: 'list', elements: [], optionalIndices: [] },
      '#unused',
      '',
      this.call(offset, 'value', [], target),
      this.constant(offset, { kind: 'bool', value: false }),
      this.ident(offset, v),
      fn === 'optMap' ? this.call(offset, 'optional.of', [args[1]!]) : args[1]!,
    );
    bind.accuVar = v;
    return this.call(offset, '_?_:_', [
      this.call(offset, 'hasValue', [], target),
      bind,
      this.call(offset, 'optional.none', []),
    ]);
  }
}

function parseIntLiteral(text: string): bigint {
  return BigInt(text.replace(/[uU]$/, ''));
}

function isQualifiedName(e: Expr): boolean {
  if (e.kind === 'ident') return true;
  return e.kind === 'select' && !e.testOnly && isQualifiedName(e.operand);
}

export function qualifiedName(e: Expr): string {
  if (e.kind === 'ident') return e.name;
  if (e.kind === 'select' && !e.testOnly) {
    const q = qualifiedName(e.operand);
    return q ? `${q}.${e.field}` : '';
  }
  return '';
}
