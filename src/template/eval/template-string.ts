// Templates that live outside the configuration: templatefile() renders a file's text with
// only the variables it is given (plus functions) in scope, as Packer and Terraform do.
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { parseTemplate } from '../../hcl/parser.js';
import type { Value, ValueObject } from '../../core/model/value.js';
import { formatRange } from './diag.js';
import { evaluate } from './evaluate.js';
import { FunctionError, type FunctionContext, type FunctionDef } from './function-api.js';

/**
 * Parses `text` as a bare template (the whole text is template content, as in a heredoc
 * body) and evaluates it with `vars` as the root names. A template that is exactly one
 * interpolation yields that value with its type, as HCL does.
 */
export function evaluateTemplateString(
  text: string,
  filename: string,
  vars: ValueObject,
  functions: ReadonlyMap<string, FunctionDef>,
  ctx: FunctionContext,
): { value: Value; diagnostics: Diagnostic[] } {
  const { expr, diagnostics } = parseTemplate(text, filename);
  if (diagnostics.some((d) => d.severity === 'error')) return { value: null, diagnostics };
  const result = evaluate(expr, { variables: new Map(Object.entries(vars)), functions, functionContext: ctx });
  return { value: result.value, diagnostics: [...diagnostics, ...result.diagnostics] };
}

/**
 * A FunctionContext.renderTemplate for the function library: renders, or throws the
 * FunctionError templatefile() reports, naming the first problem and where it is.
 * `templatefile` inside a template is refused, as Terraform does: a template that renders
 * itself, directly or through others, would never end.
 */
export function templateRenderer(
  functions: ReadonlyMap<string, FunctionDef>,
  context: () => FunctionContext,
): (text: string, vars: ValueObject, filename: string) => Value {
  const inner = new Map(functions);
  const outer = functions.get('templatefile');
  if (outer) {
    inner.set('templatefile', {
      ...outer,
      impl: () => {
        const reason = 'cannot recursively call templatefile from inside another templatefile call';
        throw new FunctionError(`Call to function "templatefile" failed: ${reason}.`, null, reason);
      },
    });
  }
  return (text, vars, filename) => {
    const { value, diagnostics } = evaluateTemplateString(text, filename, vars, inner, context());
    const first = diagnostics.find((d) => d.severity === 'error');
    if (!first) return value;
    const where = first.subject ? `${formatRange(first.subject)}: ` : '';
    const reason = `${where}${first.summary}; ${first.detail}`;
    throw new FunctionError(`Call to function "templatefile" failed: ${reason}`, null, reason);
  };
}
