// Static references of an expression (`var.x`, `local.y`, `build.ID`...), found by walking the
// syntax tree like HCL's Variables(). Knowing them before evaluation lets us order locals,
// reject undeclared names with an exact range, and tell which `build.*` keys a body wants.
import type { Expr, Range, TemplatePart } from '../hcl/ast.js';

export interface Reference {
  root: string;
  /** The first attribute after the root (`x` in `var.x`), or null for a bare root. */
  attr: string | null;
  /** The range of `root.attr` (or the root alone). */
  range: Range;
  /** The attribute after `attr` when written as one (`NAME` in `data.TYPE.NAME`). */
  second?: string;
}

export function collectReferences(expr: Expr): Reference[] {
  const out: Reference[] = [];
  walk(expr, new Set(), out);
  return out;
}

function walk(e: Expr, shadowed: ReadonlySet<string>, out: Reference[]): void {
  switch (e.kind) {
    case 'literal':
    case 'splat-item':
      return;
    case 'variable':
      if (!shadowed.has(e.name)) out.push({ root: e.name, attr: null, range: e.range });
      return;
    case 'getattr':
      if (e.object.kind === 'getattr' && e.object.object.kind === 'variable') {
        const root = e.object.object;
        if (!shadowed.has(root.name)) out.push({ root: root.name, attr: e.object.name, range: spanOf(root.range, e.object.nameRange), second: e.name });
        return;
      }
      if (e.object.kind === 'variable') {
        if (!shadowed.has(e.object.name)) out.push({ root: e.object.name, attr: e.name, range: spanOf(e.object.range, e.nameRange) });
        return;
      }
      walk(e.object, shadowed, out);
      return;
    case 'index': {
      const key = literalString(e.key);
      if (e.object.kind === 'variable' && key !== null) {
        if (!shadowed.has(e.object.name)) out.push({ root: e.object.name, attr: key, range: e.range });
        return;
      }
      walk(e.object, shadowed, out);
      walk(e.key, shadowed, out);
      return;
    }
    case 'template':
      walkParts(e.parts, shadowed, out);
      return;
    case 'tuple':
      for (const item of e.items) walk(item, shadowed, out);
      return;
    case 'object':
      for (const item of e.items) {
        // A bare identifier key is a literal name, not a reference.
        if (!item.keyIsIdent) walk(item.key, shadowed, out);
        walk(item.value, shadowed, out);
      }
      return;
    case 'splat':
      walk(e.source, shadowed, out);
      walk(e.each, shadowed, out);
      return;
    case 'call':
      for (const a of e.args) walk(a, shadowed, out);
      return;
    case 'unary':
      walk(e.operand, shadowed, out);
      return;
    case 'binary': {
      // `a + b + c ...` nests to the left, as long as the chain is: walk that spine in a
      // loop, not by recursion, keeping the references in source order.
      const rights: Expr[] = [];
      let left: Expr = e;
      while (left.kind === 'binary') {
        rights.push(left.right);
        left = left.left;
      }
      walk(left, shadowed, out);
      for (let i = rights.length - 1; i >= 0; i--) {
        const right = rights[i];
        if (right) walk(right, shadowed, out);
      }
      return;
    }
    case 'conditional':
      walk(e.cond, shadowed, out);
      walk(e.then, shadowed, out);
      walk(e.else, shadowed, out);
      return;
    case 'paren':
      walk(e.expr, shadowed, out);
      return;
    case 'for': {
      walk(e.collection, shadowed, out);
      const inner = withNames(shadowed, e.keyVar, e.valueVar);
      if (e.keyExpr) walk(e.keyExpr, inner, out);
      walk(e.valueExpr, inner, out);
      if (e.cond) walk(e.cond, inner, out);
      return;
    }
  }
}

function walkParts(parts: TemplatePart[], shadowed: ReadonlySet<string>, out: Reference[]): void {
  for (const p of parts) {
    switch (p.kind) {
      case 'literal':
        break;
      case 'interp':
        walk(p.expr, shadowed, out);
        break;
      case 'if':
        walk(p.cond, shadowed, out);
        walkParts(p.then, shadowed, out);
        if (p.else) walkParts(p.else, shadowed, out);
        break;
      case 'for': {
        walk(p.collection, shadowed, out);
        walkParts(p.body, withNames(shadowed, p.keyVar, p.valueVar), out);
        break;
      }
    }
  }
}

function withNames(base: ReadonlySet<string>, a: string | null, b: string): Set<string> {
  const s = new Set(base);
  if (a !== null) s.add(a);
  s.add(b);
  return s;
}

/** The string a constant expression stands for: `"x"` or a bare identifier key. */
export function literalString(e: Expr): string | null {
  if (e.kind !== 'template') return null;
  if (e.parts.length === 0) return '';
  const [only] = e.parts;
  if (e.parts.length === 1 && only && only.kind === 'literal') return only.value;
  return null;
}

export function spanOf(a: Range, b: Range): Range {
  return { filename: a.filename, start: a.start, end: b.end };
}
