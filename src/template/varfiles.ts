// Variable files (*.pkrvars.hcl, *.pkrvars.json, -var-file): assignments only. A block in
// one is a mistake worth naming precisely, usually a `variable` declaration put there.
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import type { EvalContext } from './adapter.js';
import { evalExpr, parseFile, parseJSONFile } from './adapter.js';
import type { ValueSource } from './types.js';
import type { InputValue } from './variables.js';
import { readSourceFile } from './source-file.js';

export async function readVarFile(
  abs: string,
  display: string,
  source: ValueSource,
  fnCtx: EvalContext,
  sources: Map<string, string>,
  diags: Diagnostic[],
): Promise<InputValue[]> {
  const read = await readSourceFile(abs, display, diags, 'variable file');
  if (read === null) return [];
  sources.set(display, read.text);
  if (!read.decoded) return [];
  return hclInputs(read.text, display, source, fnCtx, diags);
}

function hclInputs(text: string, display: string, source: ValueSource, fnCtx: EvalContext, diags: Diagnostic[]): InputValue[] {
  const parsed = display.endsWith('.json') ? parseJSONFile(text, display, true) : parseFile(text, display);
  diags.push(...parsed.diagnostics);
  if (!parsed.file) return [];
  const out: InputValue[] = [];
  for (const item of parsed.file.body.items) {
    if (item.kind === 'block') {
      const where = `${display} line ${item.typeRange.start.line}`;
      diags.push(
        item.type === 'variable'
          ? error(
              'Variable declaration in a .pkrvars file',
              `${where} declares variable "${item.labels[0] ?? ''}", but variable files only assign values to variables declared in the template. Move the block to a .pkr.hcl file, and set its value here as ${item.labels[0] ?? 'name'} = <value>.`,
              item.typeRange,
            )
          : error('Unexpected block in variable file', `${where} contains a "${item.type}" block; variable files may only contain assignments like name = "value".`, item.typeRange),
      );
      continue;
    }
    const r = evalExpr(item.expr, fnCtx);
    diags.push(...r.diagnostics);
    if (r.diagnostics.some((d) => d.severity === 'error')) continue;
    out.push({ name: item.name, value: { kind: 'value', value: r.value }, range: item.range, source, origin: display });
  }
  return out;
}
