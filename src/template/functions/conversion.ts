// Type conversion functions. As in Terraform, null converts to null of any type; lists,
// sets and maps need a single element type, so mixed primitives unify to strings.
import { isObject, typeName, type Value, type ValueObject } from '../../core/model/value.js';
import { setKey, toSet, unify } from './shared.js';
import { define, type Args, type FunctionDef } from './types.js';

const v = { name: 'v', type: 'any', allowNull: true };

export const conversionFunctions: FunctionDef[] = [
  define({ name: 'tostring', params: [v] }, (a) => (a.raw(0) === null ? null : a.str(0))),
  define({ name: 'tonumber', params: [v] }, (a) => (a.raw(0) === null ? null : a.num(0))),
  define({ name: 'tobool', params: [v] }, (a) => (a.raw(0) === null ? null : a.bool(0))),
  define({ name: 'tolist', params: [v] }, (a) => toList(a, 'list')),
  define({ name: 'toset', params: [v] }, (a) => {
    const l = toList(a, 'set');
    return l === null ? null : toSet(l as Value[]);
  }),
  define({ name: 'tomap', params: [v] }, (a) => {
    const x = a.raw(0);
    if (x === null) return null;
    if (!isObject(x)) throw a.error(0, `cannot convert ${typeName(x)} to map of any single type`);
    const keys = Object.keys(x);
    const vals = unify(keys.map((k) => x[k] as Value));
    if (vals === null) throw a.error(0, 'cannot convert object to map of any single type');
    const out: ValueObject = {};
    keys.forEach((k, i) => setKey(out, k, vals[i] as Value));
    return out;
  }),
];

function toList(a: Args, kind: 'list' | 'set'): Value {
  const x = a.raw(0);
  if (x === null) return null;
  if (!Array.isArray(x)) throw a.error(0, `cannot convert ${typeName(x)} to ${kind} of any single type`);
  const u = unify(x);
  if (u === null) throw a.error(0, `cannot convert tuple to ${kind} of any single type`);
  return u;
}
