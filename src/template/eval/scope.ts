// What an expression can see: root names, functions, and a hook through which the caller
// watches (or refuses) references. Child scopes layer names over their parent instead of
// copying it, so a `for` over n elements costs O(n), not O(n × names in scope).
import type { Range } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import type { Value } from '../value.js';
import type { FunctionContext, FunctionDef } from './function-api.js';

export interface Reference {
  /** The root name: `var`, `local`, `source`... */
  root: string;
  /** Static steps after the root: attribute names and literal index keys, as strings. */
  path: string[];
  /** From the root to the last static step. */
  range: Range;
}

export interface Scope {
  /** Root names: var, local, source, build, path, each, count-like iterators, for-expression vars. */
  variables: ReadonlyMap<string, Value>;
  functions: ReadonlyMap<string, FunctionDef>;
  functionContext: FunctionContext;
  /**
   * Called for each root traversal (not for names bound by `for` or childScope) so the
   * caller can record dependencies or refuse a reference. A returned Diagnostic is reported
   * and the reference evaluates to unknown; try() and can() do not swallow it.
   */
  onReference?(traversal: Reference): Diagnostic | null;
  /** Names bound by childScope: references to them are not reported to onReference. */
  readonly localNames?: ReadonlySet<string>;
}

/** A scope that adds `vars` over `parent`, as for-expressions and dynamic blocks need. */
export function childScope(parent: Scope, vars: Record<string, Value>): Scope {
  const own = new Map(Object.entries(vars));
  const localNames = new LayeredSet(parent.localNames, own);
  const child: Scope = {
    variables: new LayeredMap(parent.variables, own),
    functions: parent.functions,
    functionContext: parent.functionContext,
    localNames,
  };
  if (parent.onReference) child.onReference = parent.onReference.bind(parent);
  return child;
}

/** A read-only map that looks in `own` first, then in `parent`. */
class LayeredMap implements ReadonlyMap<string, Value> {
  constructor(
    private readonly parent: ReadonlyMap<string, Value>,
    private readonly own: ReadonlyMap<string, Value>,
  ) {}

  get size(): number {
    let n = this.own.size;
    for (const k of this.parent.keys()) if (!this.own.has(k)) n++;
    return n;
  }

  get(key: string): Value | undefined {
    return this.own.has(key) ? this.own.get(key) : this.parent.get(key);
  }

  has(key: string): boolean {
    return this.own.has(key) || this.parent.has(key);
  }

  forEach(cb: (value: Value, key: string, map: ReadonlyMap<string, Value>) => void): void {
    for (const [k, v] of this.entries()) cb(v, k, this);
  }

  *entries(): MapIterator<[string, Value]> {
    yield* this.own.entries();
    for (const [k, v] of this.parent.entries()) if (!this.own.has(k)) yield [k, v];
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<Value> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, Value]> {
    return this.entries();
  }
}

/** The names bound by this child scope and its child-scope ancestors. */
class LayeredSet implements ReadonlySet<string> {
  constructor(
    private readonly parent: ReadonlySet<string> | undefined,
    private readonly own: ReadonlyMap<string, unknown>,
  ) {}

  get size(): number {
    return [...this.keys()].length;
  }

  has(key: string): boolean {
    return this.own.has(key) || (this.parent?.has(key) ?? false);
  }

  forEach(cb: (value: string, key: string, set: ReadonlySet<string>) => void): void {
    for (const k of this.keys()) cb(k, k, this);
  }

  *keys(): SetIterator<string> {
    yield* this.own.keys();
    if (this.parent) for (const k of this.parent) if (!this.own.has(k)) yield k;
  }

  values(): SetIterator<string> {
    return this.keys();
  }

  *entries(): SetIterator<[string, string]> {
    for (const k of this.keys()) yield [k, k];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.keys();
  }
}
