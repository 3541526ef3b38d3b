// Type constraints as Packer variables declare them (`type = list(string)`) and the
// `typeString` used in messages. A leaf: the parser (type-expr.ts) and the conversion
// (convert-type.ts) both build on it.
import type { Value } from '../../core/model/value.js';

export type TypeConstraint =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'bool' }
  /** Any type; inside list/set/map, any single type shared by all elements. */
  | { kind: 'any' }
  | { kind: 'list'; element: TypeConstraint }
  | { kind: 'set'; element: TypeConstraint }
  | { kind: 'map'; element: TypeConstraint }
  | { kind: 'object'; attributes: readonly ObjectAttribute[] }
  | { kind: 'tuple'; elements: readonly TypeConstraint[] };

export interface ObjectAttribute {
  name: string;
  type: TypeConstraint;
  /** optional(T) or optional(T, default): may be absent from the value. */
  optional: boolean;
  /** The default of optional(T, default), already converted to `type`; null when none. */
  default: Value;
}

export const STRING: TypeConstraint = { kind: 'string' };
export const NUMBER: TypeConstraint = { kind: 'number' };
export const BOOL: TypeConstraint = { kind: 'bool' };
export const ANY: TypeConstraint = { kind: 'any' };

/** cty's FriendlyNameForConstraint: "string", "list of string", "map of any single type", "object". */
export function typeString(type: TypeConstraint): string {
  switch (type.kind) {
    case 'any':
      return 'any type';
    case 'list':
    case 'set':
    case 'map':
      return `${type.kind} of ${type.element.kind === 'any' ? 'any single type' : typeString(type.element)}`;
    default:
      return type.kind;
  }
}
