// The EC2 Query protocol's flattened parameters (`Filter.1.Name`, `Filter.1.Value.2`,
// `TagSpecification.1.Tag.1.Key`) read back into nested values: a numeric segment is a
// 1-based list index, any other segment a member name.
import { missing } from './errors.js';

export type Param = string | ParamObject | Param[];
export interface ParamObject {
  [key: string]: Param | undefined;
}

export function parseQuery(form: URLSearchParams): ParamObject {
  const root: ParamObject = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    setPath(root, key.split('.'), value);
  }
  return compact(root) as ParamObject;
}

function setPath(node: ParamObject, segments: string[], value: string): void {
  let cur: Record<string, unknown> = node;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] ?? '';
    if (i === segments.length - 1) {
      cur[seg] = value;
      return;
    }
    const next = cur[seg];
    if (typeof next === 'object' && next !== null) {
      cur = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      cur[seg] = created;
      cur = created;
    }
  }
}

/** Objects whose keys are all numbers become lists, ordered by index. */
function compact(v: unknown): Param {
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => compact(o[k]));
  }
  const out: ParamObject = {};
  for (const k of keys) out[k] = compact(o[k]);
  return out;
}

/** Typed reads of a parsed request, with EC2's errors for missing or malformed values. */
export class Params {
  constructor(readonly raw: ParamObject) {}

  str(name: string): string | undefined {
    const v = this.raw[name];
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === '') throw missing(name);
    return v;
  }

  int(name: string): number | undefined {
    const v = this.str(name);
    return v === undefined ? undefined : Number.parseInt(v, 10);
  }

  bool(name: string): boolean | undefined {
    const v = this.str(name);
    return v === undefined ? undefined : v === 'true';
  }

  /** A list of strings (`ImageId.1`, `ImageId.2`). */
  list(name: string): string[] {
    return asList(this.raw[name]).filter((x): x is string => typeof x === 'string');
  }

  /** A list of structures (`Filter.1.Name` ...). */
  objects(name: string): Params[] {
    return asList(this.raw[name]).filter((x): x is ParamObject => typeof x === 'object' && !Array.isArray(x)).map((o) => new Params(o));
  }

  object(name: string): Params | undefined {
    const v = this.raw[name];
    return typeof v === 'object' && !Array.isArray(v) ? new Params(v) : undefined;
  }
}

function asList(v: Param | undefined): Param[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
