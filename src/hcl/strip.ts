// Range-free views of AST nodes, for comparing parses of differently laid-out sources
// (formatter round trips, JSON versus native syntax) in tests and tools.

const RANGE_KEYS = new Set(['range', 'nameRange', 'typeRange', 'labelRanges', 'openBraceRange']);

export type Stripped = null | boolean | number | string | Stripped[] | { [key: string]: Stripped };

/** A deep copy of `node` without any source range; `source` text of a File is dropped too. */
export function stripRanges(node: unknown): Stripped {
  if (node === null || node === undefined) return null;
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return node;
  if (Array.isArray(node)) return node.map(stripRanges);
  if (typeof node === 'object') {
    const out: { [key: string]: Stripped } = {};
    for (const [k, v] of Object.entries(node)) {
      if (RANGE_KEYS.has(k)) continue;
      // A File's text and name are not structure; SplatExpr.source is.
      if ((k === 'source' || k === 'filename') && typeof v === 'string') continue;
      out[k] = stripRanges(v);
    }
    return out;
  }
  return null;
}

/** Structural equality of two AST nodes, ignoring ranges. */
export function astEquals(a: unknown, b: unknown): boolean {
  return JSON.stringify(stripRanges(a)) === JSON.stringify(stripRanges(b));
}
