// The one place the template model touches the parser, the evaluator and the function
// library (written by others). Everything else in src/template codes against these few
// functions, so an API change there is a change here only.
import type { Expr, File } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import type { Value, ValueObject } from '../core/model/value.js';
import { evaluate } from './eval/evaluate.js';
import type { Scope } from './eval/scope.js';
import type { FunctionDef as EvalFunctionDef } from './eval/function-api.js';
import { convertToType, parseTypeExpr, typeString } from './eval/types.js';
import type { TypeConstraint as EvalType } from './eval/types.js';
import type { FunctionContext } from './functions/types.js';
// Straight from the modules, not hcl/index.js: that would load the formatter on every validate.
import { parseExpression as parseHCLExpression, parseHCL } from '../hcl/parser.js';
import { parseHCLJSON, PACKER_JSON_SCHEMA } from '../hcl/json.js';
import { didYouMean } from '../hcl/suggest.js';
import { templateRenderer } from './eval/template-string.js';
import { FUNCTIONS } from './functions/index.js';

export type TypeConstraint = EvalType;

export interface EvalContext {
  /** Root names in scope: var, local, path, packer, data, source, build, iterators... */
  variables: ValueObject;
  /** Where file functions resolve relative paths: the working directory, as in Packer. */
  baseDir: string;
  now: () => Date;
  /** Environment for `env()`; only variable defaults may call it, as in Packer. */
  env?: Record<string, string | undefined>;
  /** The file functions' size limit (FunctionContext.maxFileBytes). */
  maxFileBytes?: number;
}

export interface Evaluated {
  value: Value;
  diagnostics: Diagnostic[];
}

/** Packer allows env() in variable defaults only; functionsFor adds it back there. */
const LIBRARY: ReadonlyMap<string, EvalFunctionDef> = new Map([...FUNCTIONS].filter(([name]) => name !== 'env'));

export function evalExpr(expr: Expr, ctx: EvalContext): Evaluated {
  return evaluate(expr, toScope(ctx));
}

function toScope(ctx: EvalContext): Scope {
  const functionContext: FunctionContext = { ...fileLimit(ctx), baseDir: ctx.baseDir, now: ctx.now, renderTemplate: (text, vars, filename) => renderTemplate(text, vars, filename, ctx) };
  return { variables: new Map(Object.entries(ctx.variables)), functions: functionsFor(ctx), functionContext };
}

function functionsFor(ctx: EvalContext): ReadonlyMap<string, EvalFunctionDef> {
  const env = ctx.env;
  if (!env) return LIBRARY;
  const m = new Map(LIBRARY);
  m.set('env', { name: 'env', params: [{ name: 'key' }], impl: (args: Value[]) => (typeof args[0] === 'string' ? (env[args[0]] ?? '') : '') });
  return m;
}

export function parseType(expr: Expr): { type: TypeConstraint | null; diagnostics: Diagnostic[] } {
  return parseTypeExpr(expr);
}

export function convertTo(value: Value, type: TypeConstraint): { value: Value; error: string | null } {
  return convertToType(value, type);
}

export function typeText(type: TypeConstraint | null): string {
  return type === null ? 'any' : typeString(type);
}

/** Packer passes -var and PKR_VAR_ text literally for these types and parses it otherwise. */
export function isPrimitiveStringish(type: TypeConstraint | null): boolean {
  return type === null || type.kind === 'string' || type.kind === 'number' || type.kind === 'any';
}

export function parseFile(source: string, filename: string): { file: File | null; diagnostics: Diagnostic[] } {
  return parseHCL(source, filename);
}

/** HCL's JSON syntax; `attributesOnly` for variable files, where every key is a value. */
export function parseJSONFile(source: string, filename: string, attributesOnly = false): { file: File | null; diagnostics: Diagnostic[] } {
  return parseHCLJSON(source, filename, attributesOnly ? { blocks: {} } : PACKER_JSON_SCHEMA);
}

/** One expression from text (console input, -var values), with ranges in that text. */
export function parseExpression(text: string, filename: string): { expr: Expr | null; diagnostics: Diagnostic[] } {
  const parsed = parseHCLExpression(text, filename);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { expr: null, diagnostics: parsed.diagnostics };
  return { expr: parsed.expr, diagnostics: parsed.diagnostics };
}

/** A close candidate for a misspelled name, or null. */
export function suggest(name: string, candidates: Iterable<string>): string | null {
  return didYouMean(name, [...candidates]);
}

/** templatefile(): the file is a bare template; only the given vars are in scope, as in Packer. */
function renderTemplate(text: string, vars: ValueObject, filename: string, ctx: EvalContext): Value {
  const render = templateRenderer(LIBRARY, () => ({
    ...fileLimit(ctx),
    baseDir: ctx.baseDir,
    now: ctx.now,
    renderTemplate: (t, v, f) => renderTemplate(t, v, f, ctx),
  }));
  return render(text, vars, filename);
}

function fileLimit(ctx: EvalContext): { maxFileBytes?: number } {
  return ctx.maxFileBytes === undefined ? {} : { maxFileBytes: ctx.maxFileBytes };
}
