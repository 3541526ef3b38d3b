// Type constraints as Packer variables declare them (`type = list(string)`): the types
// (type-constraint.ts), their parser (type-expr.ts) and the conversion of values to them
// (convert-type.ts), gathered here for the rest of the template layer.
import type { Expr } from '../../hcl/ast.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { evaluate } from './evaluate.js';
import { parseTypeExprWith } from './type-expr.js';
import type { TypeConstraint } from './type-constraint.js';

export { convertToType } from './convert-type.js';
export { ANY, BOOL, NUMBER, STRING, typeString, type ObjectAttribute, type TypeConstraint } from './type-constraint.js';

export function parseTypeExpr(expr: Expr): { type: TypeConstraint | null; diagnostics: Diagnostic[] } {
  return parseTypeExprWith(expr, evaluate);
}
