// Collection functions. Lists, sets and tuples are all JS arrays here; maps and objects are
// plain objects. Set results are ordered as cty orders sets; map iteration is by sorted key.
import { toBoolValue, toStringValue, valuesEqual } from '../convert.js';
import { isObject, typeName, type Value, type ValueObject } from '../../core/model/value.js';
import { compareStrings, distinct, graphemes, setKey, sortedKeys, toSet, unify } from './shared.js';
import { define, MAX_LIST_RESULT, type Args, type FunctionDef } from './types.js';

const list = { name: 'list', type: 'list(any)' };

export const collectionFunctions: FunctionDef[] = [
  define({ name: 'chunklist', params: [list, { name: 'size', type: 'number' }] }, (a) => {
    const l = a.list(0);
    const size = a.int(1);
    if (size < 0) throw a.fail('the size argument must be positive');
    if (l.length === 0) return [];
    if (size === 0) return [l];
    const out: Value[] = [];
    for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
    return out;
  }),
  define({ name: 'coalesce', params: [], variadic: { name: 'vals', type: 'any', allowNull: true } }, (a) => {
    if (a.length === 0) throw a.fail('at least one argument is required');
    const vals = unifyOrFail(a, a.rest(0), 'all arguments must have the same type');
    for (const v of vals) if (v !== null && v !== '') return v;
    throw a.fail('no non-null, non-empty-string arguments');
  }),
  define({ name: 'coalescelist', params: [], variadic: { name: 'vals', type: 'any', allowNull: true } }, (a) => {
    if (a.length === 0) throw a.fail('at least one argument is required');
    for (let i = 0; i < a.length; i++) {
      const v = a.raw(i);
      if (v !== null && !Array.isArray(v)) throw a.fail('coalescelist arguments must be lists or tuples');
    }
    for (const v of a.rest(0)) if (Array.isArray(v) && v.length > 0) return v;
    throw a.fail('no non-null arguments');
  }),
  define({ name: 'compact', params: [{ name: 'list', type: 'list(string)' }] }, (a) =>
    a.list(0).flatMap((v, j) => (v === null ? [] : [elementString(a, 0, j, v)])).filter((s) => s !== ''),
  ),
  define({ name: 'concat', params: [], variadic: { name: 'seqs', type: 'any' } }, (a) => {
    if (a.length === 0) throw a.fail('at least one argument is required');
    const out: Value[] = [];
    for (let i = 0; i < a.length; i++) {
      const v = a.nonNull(i);
      if (!Array.isArray(v)) throw a.error(i, `all arguments must be lists or tuples; got ${typeName(v)}`);
      out.push(...v);
    }
    return out;
  }),
  define({ name: 'contains', params: [list, { name: 'value', type: 'any' }] }, (a) => {
    const l = a.raw(0);
    if (l === null) throw a.fail('cannot search a nil list or set');
    if (!Array.isArray(l)) throw a.fail('argument must be list, tuple, or set');
    const v = a.raw(1);
    return l.some((e) => valuesEqual(e, v));
  }),
  define({ name: 'distinct', params: [list] }, (a) => distinct(a.list(0))),
  define({ name: 'element', params: [list, { name: 'index', type: 'number' }] }, (a) => {
    const l = a.nonNull(0);
    if (!Array.isArray(l)) throw a.fail(`cannot read elements from ${typeName(l)}`);
    const idx = a.num(1);
    if (idx < 0) throw a.fail('cannot use element function with a negative index');
    if (!Number.isInteger(idx)) throw a.fail('invalid index: value must be a whole number');
    if (l.length === 0) throw a.fail('cannot use element function with an empty list');
    return l[idx % l.length] as Value;
  }),
  define({ name: 'flatten', params: [list] }, (a) => {
    const l = a.nonNull(0);
    if (!Array.isArray(l)) throw a.fail('can only flatten lists, sets and tuples');
    return flatten(l);
  }),
  define({ name: 'index', params: [list, { name: 'value', type: 'any' }] }, (a) => {
    const l = a.nonNull(0);
    if (!Array.isArray(l)) throw a.fail('argument must be a list or tuple');
    const v = a.raw(1);
    const i = l.findIndex((e) => valuesEqual(e, v));
    if (i < 0) throw a.fail('item not found');
    return i;
  }),
  define({ name: 'keys', params: [{ name: 'inputMap', type: 'map(any)' }] }, (a) => {
    const m = a.nonNull(0);
    if (!isObject(m)) throw a.error(0, 'must have map or object type');
    return sortedKeys(m);
  }),
  define({ name: 'values', params: [{ name: 'mapping', type: 'map(any)' }] }, (a) => {
    const m = a.nonNull(0);
    if (!isObject(m)) throw a.fail('values() requires a map as the first argument');
    return sortedKeys(m).map((k) => m[k] as Value);
  }),
  define({ name: 'length', params: [{ name: 'value', type: 'any' }] }, (a) => {
    const v = a.nonNull(0);
    if (typeof v === 'string') return graphemes(v).length;
    if (Array.isArray(v)) return v.length;
    if (isObject(v)) return Object.keys(v).length;
    throw a.fail('argument must be a string, a collection type, or a structural type');
  }),
  define(
    {
      name: 'lookup',
      params: [{ name: 'inputMap', type: 'map(any)' }, { name: 'key', type: 'string' }],
      variadic: { name: 'default', type: 'any', allowNull: true },
    },
    (a) => {
      if (a.length > 3) throw a.fail('lookup() takes no more than three arguments');
      const m = a.nonNull(0);
      if (!isObject(m)) throw a.error(0, 'lookup() requires a map as the first argument');
      const key = a.str(1);
      if (Object.prototype.hasOwnProperty.call(m, key)) return m[key] as Value;
      if (a.has(2)) return a.raw(2);
      throw a.fail(`lookup failed to find key ${JSON.stringify(key)}`);
    },
  ),
  define({ name: 'merge', params: [], variadic: { name: 'maps', type: 'any', allowNull: true } }, (a) => {
    const out: ValueObject = {};
    for (let i = 0; i < a.length; i++) {
      const v = a.raw(i);
      if (v === null) continue;
      if (!isObject(v)) throw a.fail(`arguments must be maps or objects, got "${typeName(v)}"`);
      for (const [k, x] of Object.entries(v)) setKey(out, k, x);
    }
    return out;
  }),
  define({ name: 'range', params: [], variadic: { name: 'params', type: 'number' } }, (a) => range(a)),
  define({ name: 'reverse', params: [list] }, (a) => {
    const l = a.nonNull(0);
    if (!Array.isArray(l)) throw a.error(0, `can only reverse list or tuple values, not ${typeName(l)}`);
    return [...l].reverse();
  }),
  define({ name: 'setintersection', params: [{ name: 'first_set', type: 'set(any)' }], variadic: { name: 'other_sets', type: 'set(any)' } }, (a) => {
    const sets = setArgs(a);
    return toSet((sets[0] ?? []).filter((v) => sets.every((s) => s.some((e) => valuesEqual(e, v)))));
  }),
  define({ name: 'setsubtract', params: [{ name: 'a', type: 'set(any)' }, { name: 'b', type: 'set(any)' }] }, (a) => {
    const [x = [], y = []] = setArgs(a);
    return toSet(x.filter((v) => !y.some((e) => valuesEqual(e, v))));
  }),
  define({ name: 'setunion', params: [{ name: 'first_set', type: 'set(any)' }], variadic: { name: 'other_sets', type: 'set(any)' } }, (a) =>
    toSet(setArgs(a).flat()),
  ),
  define({ name: 'setproduct', params: [], variadic: { name: 'sets', type: 'any' } }, (a) => {
    if (a.length < 2) throw a.fail('at least two arguments are required');
    const lists = a.rest(0).map((v, i) => {
      if (!Array.isArray(v)) throw a.error(i, 'a set or a list is required');
      const u = unify(v);
      if (u === null) throw a.error(i, 'all elements must be of the same type');
      return u;
    });
    const size = lists.reduce((n, l) => n * l.length, 1);
    if (size > MAX_LIST_RESULT) throw a.fail(`the product would have ${size} elements; the limit is ${MAX_LIST_RESULT}`);
    let product: Value[][] = [[]];
    for (const l of lists) product = product.flatMap((p) => l.map((e) => [...p, e]));
    return product;
  }),
  define(
    {
      name: 'slice',
      params: [list, { name: 'start_index', type: 'number' }, { name: 'end_index', type: 'number' }],
    },
    (a) => {
      const l = a.nonNull(0);
      if (!Array.isArray(l)) throw a.error(0, 'must be a list or tuple value');
      const start = a.int(1);
      const end = a.int(2);
      if (start < 0) throw a.error(1, 'start index must not be less than zero');
      if (start > l.length) throw a.error(1, 'start index must not be greater than the length of the list');
      if (end < 0) throw a.error(2, 'end index must not be less than zero');
      if (end > l.length) throw a.error(2, 'end index must not be greater than the length of the list');
      if (start > end) throw a.error(1, 'start index must not be greater than end index');
      return l.slice(start, end);
    },
  ),
  define({ name: 'sort', params: [{ name: 'list', type: 'list(string)' }] }, (a) => {
    const l = a.list(0);
    l.forEach((v, j) => {
      if (v === null) throw a.fail(`given list element ${j} is null; a null string cannot be sorted`);
    });
    return a.strList(0).sort(compareStrings);
  }),
  define({ name: 'zipmap', params: [{ name: 'keys', type: 'list(string)' }, { name: 'values', type: 'list(any)' }] }, (a) => {
    const keys = a.list(0);
    const vals = a.nonNull(1);
    if (!Array.isArray(vals)) throw a.fail('values argument must be a list or tuple value');
    if (keys.length !== vals.length) {
      throw a.fail(`number of keys (${keys.length}) does not match number of values (${vals.length})`);
    }
    const out: ValueObject = {};
    keys.forEach((k, i) => {
      if (k === null) throw a.fail(`keys list has null value at index ${i}`);
      setKey(out, elementString(a, 0, i, k), vals[i] as Value);
    });
    return out;
  }),
  // A null element counts as false in both, as in Terraform.
  define({ name: 'alltrue', params: [{ name: 'list', type: 'list(bool)' }] }, (a) => boolElements(a).every((b) => b)),
  define({ name: 'anytrue', params: [{ name: 'list', type: 'list(bool)' }] }, (a) => boolElements(a).some((b) => b)),
  define({ name: 'one', params: [{ name: 'list', type: 'any' }] }, (a) => {
    const l = a.nonNull(0);
    if (!Array.isArray(l)) throw a.error(0, 'must be a list, set, or tuple value with either zero or one elements');
    if (l.length > 1) throw a.error(0, 'must be a list, set, or tuple value with either zero or one elements');
    return l[0] ?? null;
  }),
];

function boolElements(a: Args): boolean[] {
  return a.list(0).map((v, j) => {
    if (v === null) return false;
    try {
      return toBoolValue(v);
    } catch (e) {
      throw a.error(0, `element ${j}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

function flatten(l: readonly Value[]): Value[] {
  return l.flatMap((v) => (Array.isArray(v) ? flatten(v) : [v]));
}

function elementString(a: Args, i: number, j: number, v: Value): string {
  try {
    return toStringValue(v);
  } catch {
    throw a.error(i, `element ${j}: string required`);
  }
}

function unifyOrFail(a: Args, vals: Value[], msg: string): Value[] {
  const u = unify(vals);
  if (u === null) throw a.fail(msg);
  return u;
}

function setArgs(a: Args): Value[][] {
  const sets = a.rest(0).map((_, i) => a.list(i));
  const all = unify(sets.flat());
  if (all === null) throw a.fail('given sets must all have compatible element types');
  // Re-split the unified elements back into their sets.
  let k = 0;
  return sets.map((s) => s.map(() => all[k++] as Value));
}

/** cty's range(): 1 to 3 numbers, at most 1024 results. */
function range(a: Args): Value {
  if (a.length < 1 || a.length > 3) throw a.fail('must have one, two, or three arguments');
  let start = 0;
  let end: number;
  let step: number;
  if (a.length === 1) {
    end = a.num(0);
    step = end < 0 ? -1 : 1;
  } else {
    start = a.num(0);
    end = a.num(1);
    step = a.length === 3 ? a.num(2) : end < start ? -1 : 1;
  }
  if (step === 0) throw a.error(2, 'step must not be zero');
  const down = step < 0;
  if (down && end > start) throw a.error(1, 'end must be less than start when step is negative');
  if (!down && end < start) throw a.error(1, 'end must be greater than start when step is positive');
  const out: number[] = [];
  for (let v = start; down ? v > end : v < end; v += step) {
    if (out.length >= 1024) {
      throw a.fail(
        'more than 1024 values were generated; either decrease the difference between start and end or use a smaller step',
      );
    }
    out.push(v);
  }
  return out;
}
