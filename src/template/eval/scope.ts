// What an expression can see: root names, functions, and a hook through which the caller
// watches (or refuses) references. Child scopes layer names over their parent instead of
// copying it, so a `for` over n elements costs O(n), not O(n × names in scope).
import type { Range } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import type { Value, ValueObject } from '../../core/model/value.js';
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
  onReference?: (traversal: Reference) => Diagnostic | null;
}

export interface ScopeOptions {
  /** Root names, as an object (`{ var: {...}, local: {...} }`) or a map. */
  variables: ValueObject | ReadonlyMap<string, Value>;
  functions: ReadonlyMap<string, FunctionDef>;
  functionContext: FunctionContext;
  onReference?: ((traversal: Reference) => Diagnostic | null) | undefined;
}

/** A root scope from plain values, as each evaluation phase of a template builds one. */
export function createScope(opts: ScopeOptions): Scope {
  const variables = isMap(opts.variables) ? opts.variables : new Map(Object.entries(opts.variables));
  const scope: Scope = { variables, functions: opts.functions, functionContext: opts.functionContext };
  if (opts.onReference) scope.onReference = opts.onReference;
  return scope;
}

// Values are never functions, so a callable `get` tells a map from an object of values.
function isMap(v: ValueObject | ReadonlyMap<string, Value>): v is ReadonlyMap<string, Value> {
  return typeof (v as { get?: unknown }).get === 'function';
}

/**
 * A scope that adds `vars` over `parent`, as for-expressions and dynamic blocks need. Names
 * bound this way are local: references to them are not reported to onReference.
 */
export function childScope(parent: Scope, vars: Record<string, Value>): Scope {
  return layer(parent, new Map(Object.entries(vars)));
}

/** childScope with the names already in a Map: the per-iteration path of `for`. */
export function layer(parent: Scope, own: ReadonlyMap<string, Value>): Scope {
  const child: Scope = {
    variables: new LayeredMap(parent.variables, own),
    functions: parent.functions,
    functionContext: parent.functionContext,
  };
  // Copied, not bound: hooks are plain callbacks, and binding per iteration costs.
  if (parent.onReference) child.onReference = parent.onReference;
  return child;
}

/** True when `name` was bound by childScope (a `for` variable, a dynamic block iterator). */
export function isLocalName(scope: Scope, name: string): boolean {
  return scope.variables instanceof LayeredMap && scope.variables.isLocal(name);
}

/** A read-only map that looks in `own` first, then in `parent`. */
class LayeredMap implements ReadonlyMap<string, Value> {
  constructor(
    private readonly parent: ReadonlyMap<string, Value>,
    private readonly own: ReadonlyMap<string, Value>,
  ) {}

  isLocal(name: string): boolean {
    return this.own.has(name) || (this.parent instanceof LayeredMap && this.parent.isLocal(name));
  }

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
