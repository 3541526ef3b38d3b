// Values produced by evaluating HCL expressions. Plain JS data keeps every consumer simple
// (plugin configs are validated by zod straight from these); the one addition is Unknown,
// which stands for a value only known at run time (build.Host before the machine exists,
// or anything during `validate`). Unknown propagates through operators and functions.

export type Value = string | number | boolean | null | Unknown | Value[] | ValueObject;

export interface ValueObject {
  [key: string]: Value;
}

export class Unknown {
  private readonly _unknown = true;
  toString(): string {
    return '(known after build starts)';
  }
}

export const UNKNOWN: Unknown = new Unknown();

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

export function isObject(v: Value): v is ValueObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Unknown);
}

/** True when v or anything inside it is unknown. */
export function containsUnknown(v: Value): boolean {
  if (v instanceof Unknown) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (isObject(v)) return Object.values(v).some(containsUnknown);
  return false;
}

/** The HCL type name of a value, as used in diagnostics ("string", "tuple", "object"...). */
export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (v instanceof Unknown) return 'unknown';
  if (Array.isArray(v)) return 'tuple';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}
