// Says why the two results of a conditional have no common type, the way HCL words it.
import { unifyTypes } from './convert-type.js';
import { compareStrings } from './primitives.js';
import type { TypeConstraint } from './type-constraint.js';

export function describeMismatch(t: TypeConstraint, f: TypeConstraint): string {
  if (t.kind === 'object' && f.kind === 'object') {
    const fAttrs = new Map(f.attributes.map((a) => [a.name, a.type]));
    const tAttrs = new Map(t.attributes.map((a) => [a.name, a.type]));
    for (const name of [...tAttrs.keys()].sort(compareStrings)) {
      const fType = fAttrs.get(name);
      if (fType === undefined) return `The 'true' value includes object attribute ${JSON.stringify(name)}, which is absent in the 'false' value`;
      const tType = tAttrs.get(name);
      if (tType && unifyTypes([tType, fType]) === null) {
        return `Type mismatch for object attribute ${JSON.stringify(name)}: ${describeMismatch(tType, fType)}`;
      }
    }
    for (const name of [...fAttrs.keys()].sort(compareStrings)) {
      if (!tAttrs.has(name)) return `The 'false' value includes object attribute ${JSON.stringify(name)}, which is absent in the 'true' value`;
    }
  }
  if (t.kind === 'tuple' && f.kind === 'tuple') {
    if (t.elements.length !== f.elements.length) {
      return `The 'true' tuple has length ${t.elements.length}, but the 'false' tuple has length ${f.elements.length}`;
    }
    for (let i = 0; i < t.elements.length; i++) {
      const a = t.elements[i];
      const b = f.elements[i];
      if (a && b && unifyTypes([a, b]) === null) return `Type mismatch for tuple element ${i}: ${describeMismatch(a, b)}`;
    }
  }
  const tn = friendlyName(t);
  const fn = friendlyName(f);
  if (tn === fn) {
    return "At least one deeply-nested attribute or element is not compatible across both the 'true' and the 'false' value";
  }
  return `The 'true' value is ${tn}, but the 'false' value is ${fn}`;
}

/** cty's FriendlyName of a type (not of a constraint): "dynamic" for any. */
function friendlyName(t: TypeConstraint): string {
  switch (t.kind) {
    case 'any':
      return 'dynamic';
    case 'list':
    case 'set':
    case 'map':
      return `${t.kind} of ${friendlyName(t.element)}`;
    default:
      return t.kind;
  }
}
