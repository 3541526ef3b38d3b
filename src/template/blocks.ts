// First pass over the parsed files: every top-level block is sorted into the template model
// and checked against Packer's schema. Build blocks are kept as syntax here; they are decoded
// once variables and locals are known (their `sources` and `dynamic` blocks may use them).
import type { Block, File } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error, warning } from '../hcl/diagnostic.js';
import type { EvalContext } from './adapter.js';
import { evalExpr } from './adapter.js';
import { UNKNOWN } from '../core/model/value.js';
import { decodeLocalBlock, decodeLocalsBlock } from './locals.js';
import { literalString } from './refs.js';
import { PACKER_COMPAT_VERSION } from './scope.js';
import { checkBody, checkLabels, rangeText, unsupported } from './schema.js';
import type { DataDef, LocalDef, RequiredPlugin, SourceDef, VariableDef } from './types.js';
import { decodeLegacyVariables, decodeVariableBlock } from './variables.js';
import { parseConstraint, unmetClauses } from './version.js';

const TOP_LEVEL: Record<string, string[]> = {
  packer: [],
  variable: ['name'],
  variables: [],
  locals: [],
  local: ['name'],
  source: ['type', 'name'],
  data: ['type', 'name'],
  build: [],
  hcp_packer_registry: [],
};

const PACKER_SCHEMA = { attributes: { required_version: {} }, blocks: { required_plugins: [] } };

export interface TopLevel {
  requiredVersion: string | null;
  requiredPlugins: RequiredPlugin[];
  variables: Map<string, VariableDef>;
  locals: Map<string, LocalDef>;
  sourceBlocks: Map<string, SourceDef>;
  dataSources: Map<string, DataDef>;
  buildBlocks: Block[];
}

export function decodeTopLevel(files: File[], fnCtx: EvalContext, diags: Diagnostic[]): TopLevel {
  const out: TopLevel = {
    requiredVersion: null,
    requiredPlugins: [],
    variables: new Map(),
    locals: new Map(),
    sourceBlocks: new Map(),
    dataSources: new Map(),
    buildBlocks: [],
  };
  for (const file of files) {
    for (const item of file.body.items) {
      if (item.kind === 'attribute') {
        diags.push(error('Unexpected argument', `An argument named "${item.name}" is not expected at the top level of a template. Arguments go inside blocks; variable values go in .pkrvars.hcl files.`, item.nameRange));
        continue;
      }
      const labels = TOP_LEVEL[item.type];
      if (!labels) {
        diags.push(unsupported('block type', item.type, Object.keys(TOP_LEVEL), 'a Packer template', item.typeRange));
        continue;
      }
      if (!checkLabels(item, labels, diags)) continue;
      decodeBlock(item, out, fnCtx, diags);
    }
  }
  return out;
}

function decodeBlock(block: Block, out: TopLevel, fnCtx: EvalContext, diags: Diagnostic[]): void {
  switch (block.type) {
    case 'packer':
      decodePacker(block, out, fnCtx, diags);
      return;
    case 'variable': {
      const def = decodeVariableBlock(block, fnCtx, diags);
      if (def) addVariable(out.variables, def, diags);
      return;
    }
    case 'variables':
      for (const def of decodeLegacyVariables(block, fnCtx, diags)) addVariable(out.variables, def, diags);
      return;
    case 'locals':
      decodeLocalsBlock(block, out.locals, diags);
      return;
    case 'local':
      decodeLocalBlock(block, out.locals, fnCtx, diags);
      return;
    case 'source': {
      const [type = '', name = ''] = block.labels;
      const key = `${type}.${name}`;
      const prev = out.sourceBlocks.get(key);
      if (prev) {
        diags.push(error('Duplicate source block', `This source block has the same builder type and name as a previous block declared at ${rangeText(prev.range)}. Each source must have a unique name per builder type.`, block.labelRanges[1] ?? block.typeRange));
        return;
      }
      out.sourceBlocks.set(key, { type, name, key, body: block.body, range: block.range, typeRange: block.typeRange, labelRanges: block.labelRanges });
      return;
    }
    case 'data': {
      const [type = '', name = ''] = block.labels;
      const key = `${type}.${name}`;
      const prev = out.dataSources.get(key);
      if (prev) {
        diags.push(error('Duplicate data block', `This data block has the same data type and name as a previous block declared at ${rangeText(prev.range)}. Each data must have a unique name per data type.`, block.labelRanges[1] ?? block.typeRange));
        return;
      }
      out.dataSources.set(key, { type, name, body: block.body, range: block.range, typeRange: block.labelRanges[0] ?? block.typeRange, value: UNKNOWN, evaluated: false });
      return;
    }
    case 'build':
      out.buildBlocks.push(block);
      return;
    default:
      // hcp_packer_registry: HCP Packer metadata; accepted, nothing to build from it.
      return;
  }
}

function addVariable(vars: Map<string, VariableDef>, def: VariableDef, diags: Diagnostic[]): void {
  const prev = vars.get(def.name);
  if (prev) {
    diags.push(error('Duplicate variable', `A variable named "${def.name}" was already declared at ${rangeText(prev.nameRange)}. Variable names must be unique within a template.`, def.nameRange));
    return;
  }
  vars.set(def.name, def);
}

function decodePacker(block: Block, out: TopLevel, fnCtx: EvalContext, diags: Diagnostic[]): void {
  const { attrs, blocks } = checkBody(block.body, PACKER_SCHEMA, 'the packer block', diags, block.range);
  const rv = attrs.get('required_version');
  if (rv) {
    const text = literalString(rv.expr);
    const clauses = text === null ? null : parseConstraint(text);
    if (text === null || clauses === null) {
      diags.push(error('Invalid required_version constraint', 'required_version must be a version constraint string such as ">= 1.7.0, < 2".', rv.expr.range));
    } else {
      out.requiredVersion = text;
      const unmet = unmetClauses(clauses, PACKER_COMPAT_VERSION);
      if (unmet.length > 0) {
        // A warning, not an error: templates must run unchanged, and most that ask for a
        // newer Packer only use features imgbuild has. Anything it lacks is its own error.
        diags.push(
          warning(
            'Newer Packer Core version requested',
            `This template requires Packer version "${text}"; imgbuild implements Packer ${PACKER_COMPAT_VERSION} template semantics (unmet: ${unmet.join(', ')}). It goes on; any newer feature the template uses is reported where it is used.`,
            rv.expr.range,
          ),
        );
      }
    }
  }
  for (const rp of blocks) {
    for (const item of rp.body.items) {
      if (item.kind === 'block') {
        diags.push(error('Unexpected block', `required_plugins entries are written as name = { source = "...", version = "..." }; found a "${item.type}" block.`, item.typeRange));
        continue;
      }
      const r = evalExpr(item.expr, fnCtx);
      diags.push(...r.diagnostics);
      const v = r.value;
      const obj = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
      if (obj === null && typeof v !== 'string') {
        diags.push(error('Invalid required_plugins entry', `The "${item.name}" entry must be an object with source and version.`, item.expr.range));
        continue;
      }
      const str = (k: string): string | null => (obj && typeof obj[k] === 'string' ? (obj[k]) : null);
      out.requiredPlugins.push({ name: item.name, source: str('source'), version: typeof v === 'string' ? v : str('version'), range: item.range });
    }
  }
}
