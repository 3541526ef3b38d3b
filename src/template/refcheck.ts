// Rejects references to undeclared variables and locals before evaluation, so the user gets
// the exact range and a "did you mean" instead of a generic unsupported-attribute error.
import type { Expr } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { suggest } from './adapter.js';
import { collectReferences } from './refs.js';

export interface KnownNames {
  vars: ReadonlySet<string>;
  locals: ReadonlySet<string>;
}

/** Returns false when the expression refers to something undeclared (already reported). */
export function checkReferences(expr: Expr, known: KnownNames, diags: Diagnostic[]): boolean {
  let ok = true;
  for (const ref of collectReferences(expr)) {
    if (ref.attr === null) continue;
    if (ref.root === 'var' && !known.vars.has(ref.attr)) {
      ok = false;
      const hint = suggest(ref.attr, known.vars);
      diags.push(
        error(
          'Reference to undeclared input variable',
          `An input variable with the name "${ref.attr}" has not been declared.${hint ? ` Did you mean "${hint}"?` : ` This variable can be declared with a variable "${ref.attr}" {} block.`}`,
          ref.range,
        ),
      );
    } else if (ref.root === 'local' && !known.locals.has(ref.attr)) {
      ok = false;
      const hint = suggest(ref.attr, known.locals);
      diags.push(
        error(
          'Reference to undeclared local value',
          `A local value with the name "${ref.attr}" has not been declared.${hint ? ` Did you mean "${hint}"?` : ''}`,
          ref.range,
        ),
      );
    }
  }
  return ok;
}
