// Undeclared variables and locals get Packer's own diagnostic: the whole reference underlined
// and a "did you mean", instead of a generic unsupported-attribute error.
import type { Expr, Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { suggest } from './adapter.js';
import { collectReferences } from './refs.js';

export interface KnownNames {
  vars: ReadonlySet<string>;
  locals: ReadonlySet<string>;
}

/**
 * Rewrites the evaluator's "Unsupported attribute" on `var.x` / `local.y` into Packer's
 * clearer undeclared-name diagnostic, spanning the whole reference. Done after evaluation,
 * not through an onReference refusal, so that an undeclared name in an untaken conditional
 * branch stays harmless as in HCL (chef/bento relies on this).
 */
export function refineReferenceErrors(expr: Expr, diags: Diagnostic[], knownNames: KnownNames | (() => KnownNames)): Diagnostic[] {
  if (!diags.some((d) => d.summary === 'Unsupported attribute')) return diags;
  const known = typeof knownNames === 'function' ? knownNames() : knownNames;
  const refs = collectReferences(expr).filter((r) => r.attr !== null && (r.root === 'var' || r.root === 'local'));
  return diags.map((d) => {
    const s = d.subject;
    if (d.summary !== 'Unsupported attribute' || !s) return d;
    const ref = refs.find((r) => r.range.filename === s.filename && r.range.end.byte === s.end.byte);
    if (!ref || ref.attr === null) return d;
    if (ref.root === 'var' && !known.vars.has(ref.attr)) return undeclaredVariable(ref.attr, known, ref.range);
    if (ref.root === 'local' && !known.locals.has(ref.attr)) return undeclaredLocal(ref.attr, known, ref.range);
    return d;
  });
}

function undeclaredVariable(name: string, known: KnownNames, range: Range): Diagnostic {
  const hint = suggest(name, known.vars);
  return error(
    'Reference to undeclared input variable',
    `An input variable with the name "${name}" has not been declared.${hint ? ` Did you mean "${hint}"?` : ` This variable can be declared with a variable "${name}" {} block.`}`,
    range,
  );
}

function undeclaredLocal(name: string, known: KnownNames, range: Range): Diagnostic {
  const hint = suggest(name, known.locals);
  return error('Reference to undeclared local value', `A local value with the name "${name}" has not been declared.${hint ? ` Did you mean "${hint}"?` : ''}`, range);
}
