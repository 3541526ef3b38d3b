// Type constraint expressions (`type = list(string)`) parsed the way HCL's typeexpr package
// does. The evaluator for optional() defaults is a parameter: types.ts passes `evaluate`,
// call.ts (convert()) its own evaluator, so no import cycle runs through evaluate.ts.
import type { CallExpr, Expr, ObjectExpr } from '../../hcl/ast.js';
import { warning, type Diagnostic } from '../../hcl/diagnostic.js';
import type { Value } from '../../core/model/value.js';
import { convertToType } from './convert-type.js';
import { diag, rangeOf } from './diag.js';
import type { FunctionDef } from './function-api.js';
import type { Scope } from './scope.js';
import { ANY, BOOL, NUMBER, STRING, type ObjectAttribute, type TypeConstraint } from './type-constraint.js';

const INVALID = 'Invalid type specification';

/** Evaluates an expression on its own, with its own diagnostics (evaluate.ts's `evaluate`). */
export type EvaluateAlone = (expr: Expr, scope: Scope) => { value: Value; diagnostics: Diagnostic[] };

/** `constant` evaluates optional() defaults; it is passed in so this parser imports no evaluator. */
export function parseTypeExprWith(expr: Expr, constant: EvaluateAlone): { type: TypeConstraint | null; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const type = parseType(expr, diagnostics, constant);
  return { type: diagnostics.some((d) => d.severity === 'error') ? null : type, diagnostics };
}

function parseType(expr: Expr, diags: Diagnostic[], constant: EvaluateAlone): TypeConstraint {
  if (expr.kind === 'variable') return keywordType(expr.name, expr, diags);
  if (expr.kind === 'template') return legacyType(expr, diags);
  if (expr.kind !== 'call') {
    diags.push(diag(INVALID, NOT_A_TYPE, expr.range));
    return ANY;
  }
  return callType(expr, diags, constant);
}

function keywordType(name: string, expr: Expr, diags: Diagnostic[]): TypeConstraint {
  switch (name) {
    case 'string':
      return STRING;
    case 'number':
      return NUMBER;
    case 'bool':
      return BOOL;
    case 'any':
      return ANY;
    case 'list':
    case 'set':
    case 'map':
      diags.push(diag(INVALID, `The ${name} type constructor requires one argument specifying the element type.`, expr.range));
      return ANY;
    case 'object':
      diags.push(diag(INVALID, OBJECT_ARG, expr.range));
      return ANY;
    case 'tuple':
      diags.push(diag(INVALID, TUPLE_ARG, expr.range));
      return ANY;
    default:
      diags.push(diag(INVALID, `The keyword ${JSON.stringify(name)} is not a valid type specification.`, expr.range));
      return ANY;
  }
}

const NOT_A_TYPE =
  'A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).';
const OBJECT_ARG = 'The object type constructor requires one argument specifying the attribute types and values as a map.';
const TUPLE_ARG = 'The tuple type constructor requires one argument specifying the element types as a list.';

// Packer 1.5-era templates quote their types; Terraform reads "list" and "map" as list(any)
// and map(any), and so do we, with a nudge towards the modern form.
function legacyType(expr: Expr & { kind: 'template' }, diags: Diagnostic[]): TypeConstraint {
  const only = expr.parts.length === 1 ? expr.parts[0] : undefined;
  const text = only?.kind === 'literal' ? only.value : null;
  const legacy: Record<string, [TypeConstraint, string]> = {
    string: [STRING, 'string'],
    list: [{ kind: 'list', element: ANY }, 'list(any)'],
    map: [{ kind: 'map', element: ANY }, 'map(any)'],
  };
  const found = text === null ? undefined : legacy[text];
  if (!found) {
    diags.push(diag(INVALID, NOT_A_TYPE, expr.range));
    return ANY;
  }
  diags.push(
    warning(
      'Quoted type constraints are deprecated',
      `Type constraints were once given in quotes; that form is deprecated. Write ${found[1]} instead of ${JSON.stringify(text)}.`,
      expr.range,
    ),
  );
  return found[0];
}

function callType(call: CallExpr, diags: Diagnostic[], constant: EvaluateAlone): TypeConstraint {
  const argsRange = rangeOf(call.range.filename, call.nameRange.end, call.range.end);
  const name = call.name;
  if (name === 'bool' || name === 'string' || name === 'number') {
    diags.push(diag(INVALID, `Primitive type keyword ${JSON.stringify(name)} does not expect arguments.`, argsRange));
    return ANY;
  }
  if (name === 'any') {
    diags.push(diag(INVALID, 'Type constraint keyword "any" does not expect arguments.', argsRange));
    return ANY;
  }
  if (name === 'optional') {
    diags.push(diag(INVALID, 'Keyword "optional" is valid only as a modifier for object type attributes.', call.nameRange));
    return ANY;
  }
  const ARG_DETAIL: Record<string, string> = {
    list: 'The list type constructor requires one argument specifying the element type.',
    set: 'The set type constructor requires one argument specifying the element type.',
    map: 'The map type constructor requires one argument specifying the element type.',
    object: OBJECT_ARG,
    tuple: TUPLE_ARG,
  };
  const argDetail = ARG_DETAIL[name];
  if (argDetail === undefined) {
    diags.push(diag(INVALID, `Keyword ${JSON.stringify(name)} is not a valid type constructor.`, call.range));
    return ANY;
  }
  const [arg, second] = call.args;
  const last = call.args[call.args.length - 1];
  if (arg === undefined || call.args.length !== 1) {
    // Too many arguments: the extra ones are the subject; too few: the parentheses.
    const subject = second && last ? rangeOf(call.range.filename, second.range.start, last.range.end) : argsRange;
    diags.push(diag(INVALID, argDetail, subject, argsRange));
    return ANY;
  }
  switch (name) {
    case 'list':
    case 'set':
    case 'map':
      return { kind: name, element: parseType(arg, diags, constant) };
    case 'object':
      if (arg.kind !== 'object') {
        diags.push(
          diag(
            INVALID,
            'Object type constructor requires a map whose keys are attribute names and whose values are the corresponding attribute types.',
            arg.range,
            call.range,
          ),
        );
        return ANY;
      }
      return objectType(arg, call, diags, constant);
    default:
      if (arg.kind !== 'tuple') {
        diags.push(diag(INVALID, 'Tuple type constructor requires a list of element types.', arg.range, call.range));
        return ANY;
      }
      return { kind: 'tuple', elements: arg.items.map((e) => parseType(e, diags, constant)) };
  }
}

function objectType(obj: ObjectExpr, call: CallExpr, diags: Diagnostic[], constant: EvaluateAlone): TypeConstraint {
  const attributes: ObjectAttribute[] = [];
  for (const item of obj.items) {
    const name = attributeName(item.key, item.keyIsIdent);
    if (name === null) {
      diags.push(diag(INVALID, 'Object constructor map keys must be attribute names.', item.key.range, call.range));
      continue;
    }
    let typeExpr = item.value;
    let optional = false;
    let defaultExpr: Expr | null = null;
    if (typeExpr.kind === 'call' && typeExpr.name === 'optional') {
      const opt = typeExpr;
      const optArgs = rangeOf(opt.range.filename, opt.nameRange.end, opt.range.end);
      const [inner, dflt] = opt.args;
      if (inner === undefined) {
        diags.push(diag(INVALID, 'Optional attribute modifier requires the attribute type as its argument.', optArgs, opt.range));
        continue;
      }
      if (opt.args.length > 2) {
        diags.push(
          diag(INVALID, 'Optional attribute modifier expects at most two arguments: the attribute type, and a default value.', optArgs, opt.range),
        );
      }
      optional = true;
      typeExpr = inner;
      defaultExpr = dflt ?? null;
    }
    const type = parseType(typeExpr, diags, constant);
    attributes.push({ name, type, optional, default: defaultExpr ? defaultValue(defaultExpr, type, diags, constant) : null });
  }
  return { kind: 'object', attributes };
}

function attributeName(key: Expr, keyIsIdent: boolean): string | null {
  if (key.kind === 'variable') return key.name;
  if (!keyIsIdent || key.kind !== 'template') return null;
  const part = key.parts[0];
  return key.parts.length === 1 && part?.kind === 'literal' ? part.value : null;
}

// A default is a constant: it is evaluated with no variables and no functions, then
// converted to the attribute's type once, here, so every use gets the same value.
function defaultValue(expr: Expr, type: TypeConstraint, diags: Diagnostic[], constant: EvaluateAlone): Value {
  const { value, diagnostics } = constant(expr, CONSTANT_SCOPE);
  diags.push(...diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) return null;
  const converted = convertToType(value, type);
  if (converted.error !== null) {
    diags.push(
      diag(
        'Invalid default value for optional attribute',
        `This default value is not compatible with the attribute's type constraint: ${converted.error}.`,
        expr.range,
      ),
    );
    return null;
  }
  return converted.value;
}

// No variables and no functions: HCL evaluates defaults with a nil context.
const CONSTANT_SCOPE: Scope = {
  variables: new Map<string, Value>(),
  functions: new Map<string, FunctionDef>(),
  functionContext: { baseDir: '.', now: () => new Date(0), renderTemplate: () => null },
  onReference: (ref) => diag('Variables not allowed', 'Variables may not be used here.', ref.range),
};
