// cty's conversion rules on plain values: primitives convert where safe or parseable,
// sequences to lists and sets element by element, objects to maps and objects (missing
// optional attributes filled from their defaults, extra attributes dropped), sets
// deduplicated. `any` inside a collection means one type for all elements, found by
// unification, as cty does: list(any) of [1, "a"] is ["1", "a"].
import { isObject, isUnknown, type Value, type ValueObject } from '../../core/model/value.js';
import { compareStrings, formatNumber, getOwn, parseBool, parseNumber, setKey, valuesEqual } from './primitives.js';
import { typeString, type ObjectAttribute, type TypeConstraint } from './type-constraint.js';

export function convertToType(value: Value, type: TypeConstraint): { value: Value; error: string | null } {
  try {
    return { value: convert(value, type, ''), error: null };
  } catch (e) {
    if (e instanceof ConversionFailure) return { value: null, error: e.message };
    throw e;
  }
}

/** Thrown inside the recursion only; convertToType turns it into an error string. */
class ConversionFailure extends Error {}

function fail(path: string, message: string): never {
  throw new ConversionFailure(path + message);
}

function convert(value: Value, type: TypeConstraint, path: string): Value {
  if (value === null || isUnknown(value) || type.kind === 'any') return value;
  switch (type.kind) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return formatNumber(value);
      if (typeof value === 'boolean') return value ? 'true' : 'false';
      return fail(path, 'string required');
    case 'number': {
      if (typeof value === 'number') return value;
      if (typeof value !== 'string') return fail(path, 'number required');
      const n = parseNumber(value);
      return n === null ? fail(path, 'a number is required') : n;
    }
    case 'bool': {
      if (typeof value === 'boolean') return value;
      if (typeof value !== 'string') return fail(path, 'bool required');
      const b = parseBool(value);
      return b === null ? fail(path, 'a bool is required') : b;
    }
    case 'list':
    case 'set': {
      if (!Array.isArray(value)) return fail(path, `${typeString(type)} required`);
      const element = type.element.kind === 'any' ? unifiedElementType(value, path, type.kind) : type.element;
      const out = value.map((v, i) => convert(v, element, `${path}element ${i}: `));
      return type.kind === 'set' ? toSet(out) : out;
    }
    case 'map': {
      if (!isObject(value)) return fail(path, `${typeString(type)} required`);
      const element = type.element.kind === 'any' ? unifiedElementType(Object.values(value), path, 'map') : type.element;
      const out: ValueObject = {};
      for (const [k, v] of Object.entries(value)) setKey(out, k, convert(v, element, `${path}element ${JSON.stringify(k)}: `));
      return out;
    }
    case 'object':
      if (!isObject(value)) return fail(path, 'object required');
      return convertObject(value, type.attributes, path);
    case 'tuple':
      if (!Array.isArray(value) || value.length !== type.elements.length) return fail(path, 'tuple required');
      return value.map((v, i) => convert(v, type.elements[i] ?? { kind: 'any' }, `${path}element ${i}: `));
  }
}

function convertObject(value: ValueObject, attributes: readonly ObjectAttribute[], path: string): ValueObject {
  const missing = attributes.filter((a) => !a.optional && getOwn(value, a.name) === undefined).map((a) => a.name);
  if (missing.length > 0) fail(path, missingMessage(missing.sort(compareStrings)));
  const out: ValueObject = {};
  for (const attr of attributes) {
    const v = getOwn(value, attr.name) ?? null;
    // Defaults also replace an explicit null, as Terraform's optional() does.
    const converted = v === null && attr.optional ? attr.default : convert(v, attr.type, `${path}attribute ${JSON.stringify(attr.name)}: `);
    setKey(out, attr.name, converted);
  }
  return out;
}

function missingMessage(names: string[]): string {
  const q = names.map((n) => JSON.stringify(n));
  if (q.length === 1) return `attribute ${q[0]} is required`;
  if (q.length === 2) return `attributes ${q[0]} and ${q[1]} are required`;
  return `attributes ${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]} are required`;
}

function unifiedElementType(values: Value[], path: string, kind: 'list' | 'set' | 'map'): TypeConstraint {
  const unified = unifyTypes(values.map(inferType));
  return unified ?? fail(path, `all ${kind} elements must have the same type`);
}

/** Sets hold each value once; primitives come out sorted, as cty orders them. */
function toSet(values: Value[]): Value[] {
  const out: Value[] = [];
  const primitives = new Set<Value>();
  for (const v of values) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      if (!primitives.has(v)) out.push(v);
      primitives.add(v);
    } else if (!out.some((o) => valuesEqual(o, v) === true)) {
      out.push(v);
    }
  }
  if (out.every((v) => typeof v === 'string')) return out.sort(compareStrings);
  if (out.every((v) => typeof v === 'number')) return out.sort((a, b) => a - b);
  if (out.every((v) => typeof v === 'boolean')) return out.sort((a, b) => Number(a) - Number(b));
  return out;
}

/** The type of a value as cty would infer it; null and unknown have no type yet (any). */
export function inferType(value: Value): TypeConstraint {
  if (value === null || isUnknown(value)) return { kind: 'any' };
  if (typeof value === 'string') return { kind: 'string' };
  if (typeof value === 'number') return { kind: 'number' };
  if (typeof value === 'boolean') return { kind: 'bool' };
  if (Array.isArray(value)) return { kind: 'tuple', elements: value.map(inferType) };
  return {
    kind: 'object',
    attributes: Object.entries(value).map(([name, v]) => ({ name, type: inferType(v), optional: false, default: null })),
  };
}

/**
 * One type every given type converts to, or null: cty's unification. Strings absorb other
 * primitives; sequences unify element-wise when lengths agree, else into a list; objects
 * unify attribute-wise when their names agree, else into a map.
 */
export function unifyTypes(types: readonly TypeConstraint[]): TypeConstraint | null {
  const known = types.filter((t) => t.kind !== 'any');
  const first = known[0];
  if (first === undefined) return { kind: 'any' };
  const kinds = new Set(known.map((t) => t.kind));
  if (known.every(isPrimitive)) {
    if (kinds.size === 1) return first;
    return kinds.has('string') ? { kind: 'string' } : null;
  }
  if (known.every((t) => t.kind === 'tuple' || t.kind === 'list' || t.kind === 'set')) return unifySequences(known);
  if (known.every((t) => t.kind === 'object' || t.kind === 'map')) return unifyMappings(known);
  return null;
}

function isPrimitive(t: TypeConstraint): boolean {
  return t.kind === 'string' || t.kind === 'number' || t.kind === 'bool';
}

function unifySequences(types: TypeConstraint[]): TypeConstraint | null {
  const tuples = types.flatMap((t) => (t.kind === 'tuple' ? [t.elements] : []));
  const len = tuples[0]?.length;
  if (tuples.length === types.length && tuples.every((e) => e.length === len)) {
    const elements: TypeConstraint[] = [];
    for (let i = 0; i < (len ?? 0); i++) {
      const u = unifyTypes(tuples.map((e) => e[i] ?? { kind: 'any' }));
      if (u === null) break;
      elements.push(u);
    }
    if (elements.length === len) return { kind: 'tuple', elements };
  }
  const all = types.flatMap((t) => (t.kind === 'tuple' ? [...t.elements] : t.kind === 'list' || t.kind === 'set' ? [t.element] : []));
  const element = unifyTypes(all);
  return element === null ? null : { kind: 'list', element };
}

function unifyMappings(types: TypeConstraint[]): TypeConstraint | null {
  const objects = types.flatMap((t) => (t.kind === 'object' ? [new Map(t.attributes.map((a) => [a.name, a.type]))] : []));
  const first = objects[0];
  const sameNames =
    first !== undefined && objects.length === types.length && objects.every((o) => o.size === first.size && [...o.keys()].every((k) => first.has(k)));
  if (sameNames) {
    const attributes: ObjectAttribute[] = [];
    for (const name of first.keys()) {
      const u = unifyTypes(objects.map((o) => o.get(name) ?? { kind: 'any' }));
      if (u === null) return null;
      attributes.push({ name, type: u, optional: false, default: null });
    }
    return { kind: 'object', attributes };
  }
  const all = types.flatMap((t) => (t.kind === 'object' ? t.attributes.map((a) => a.type) : t.kind === 'map' ? [t.element] : []));
  const element = unifyTypes(all);
  return element === null ? null : { kind: 'map', element };
}
