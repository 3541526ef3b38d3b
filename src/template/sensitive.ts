// The strings to scrub from every output: each string leaf of a sensitive variable or local,
// plus the forms it commonly leaks in (JSON-escaped inside a larger document, base64).
import { isObject, isUnknown } from '../core/model/value.js';
import type { Value } from '../core/model/value.js';
import type { Template } from './types.js';

export function sensitiveValues(t: Template): string[] {
  const out = new Set<string>();
  const add = (v: Value): void => {
    if (typeof v === 'string') {
      // Scrubbing an empty string would blank every line.
      if (v.length === 0) return;
      out.add(v);
      const json = JSON.stringify(v).slice(1, -1);
      if (json !== v) out.add(json);
      out.add(Buffer.from(v, 'utf8').toString('base64'));
    } else if (Array.isArray(v)) {
      v.forEach(add);
    } else if (isObject(v)) {
      Object.values(v).forEach(add);
    } else if (typeof v === 'number' && !isUnknown(v)) {
      // A sensitive number (a port, a PIN) prints as its digits.
      if (String(v).length >= 4) out.add(String(v));
    }
  };
  for (const v of t.variables.values()) if (v.sensitive) add(v.value);
  for (const l of t.locals.values()) if (l.sensitive) add(l.value);
  return [...out];
}
