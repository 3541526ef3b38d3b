// Structural checks for Packer's own blocks (packer, variable, locals, build...): unknown,
// duplicate and missing arguments, unknown block types and wrong label counts, each with the
// exact range and a "did you mean" hint. Plugin bodies are not checked here: plugins do that.
import type { Attribute, Block, Body, Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { suggest } from './adapter.js';

export interface BodySchema {
  attributes: Record<string, { required?: boolean }>;
  /** Block type -> label names. */
  blocks: Record<string, string[]>;
}

export interface CheckedBody {
  attrs: Map<string, Attribute>;
  blocks: Block[];
}

export function checkBody(body: Body, schema: BodySchema, where: string, diags: Diagnostic[], blockRange?: Range): CheckedBody {
  const attrs = new Map<string, Attribute>();
  const blocks: Block[] = [];
  for (const item of body.items) {
    if (item.kind === 'attribute') {
      if (!(item.name in schema.attributes)) {
        diags.push(unsupported('argument', item.name, Object.keys(schema.attributes), where, item.nameRange));
        continue;
      }
      const prev = attrs.get(item.name);
      if (prev) {
        diags.push(duplicateArgument(item, prev));
        continue;
      }
      attrs.set(item.name, item);
      continue;
    }
    const labels = schema.blocks[item.type];
    if (!labels) {
      diags.push(unsupported('block type', item.type, Object.keys(schema.blocks), where, item.typeRange));
      continue;
    }
    if (!checkLabels(item, labels, diags)) continue;
    blocks.push(item);
  }
  for (const [name, spec] of Object.entries(schema.attributes)) {
    if (spec.required && !attrs.has(name)) {
      diags.push(
        error('Missing required argument', `The argument "${name}" is required in ${where}, but no definition was found.`, blockRange ?? body.range),
      );
    }
  }
  return { attrs, blocks };
}

export function checkLabels(block: Block, names: string[], diags: Diagnostic[]): boolean {
  if (block.labels.length === names.length) return true;
  if (block.labels.length < names.length) {
    const missing = names[block.labels.length] ?? 'label';
    diags.push(
      error(
        `Missing ${missing} for ${block.type}`,
        `All ${block.type} blocks must have ${names.length} label${names.length === 1 ? '' : 's'} (${names.join(', ')}).`,
        block.typeRange,
      ),
    );
    return false;
  }
  const extra = block.labelRanges[names.length] ?? block.typeRange;
  diags.push(
    error(
      `Extraneous label for ${block.type}`,
      names.length === 0
        ? `No labels are expected for ${block.type} blocks.`
        : `Only ${names.length} label${names.length === 1 ? '' : 's'} (${names.join(', ')}) ${names.length === 1 ? 'is' : 'are'} expected for ${block.type} blocks.`,
      extra,
    ),
  );
  return false;
}

export function unsupported(what: 'argument' | 'block type', name: string, candidates: string[], where: string, subject: Range): Diagnostic {
  const hint = suggest(name, candidates);
  const summary = what === 'argument' ? 'Unsupported argument' : 'Unsupported block type';
  const base =
    what === 'argument'
      ? `An argument named "${name}" is not expected in ${where}.`
      : `Blocks of type "${name}" are not expected in ${where}.`;
  return error(summary, hint ? `${base} Did you mean "${hint}"?` : base, subject);
}

export function duplicateArgument(item: Attribute, prev: Attribute): Diagnostic {
  const d = error(
    'Duplicate argument',
    `The argument "${item.name}" was already set at ${rangeText(prev.nameRange)}. Each argument may be set only once.`,
    item.nameRange,
  );
  return d;
}

export function rangeText(r: Range): string {
  return `${r.filename}:${r.start.line},${r.start.column}`;
}

/** Drops repeats: the same body is evaluated once per build source. */
export function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const s = d.subject;
    const key = `${d.severity}|${d.summary}|${d.detail}|${s ? `${s.filename}:${s.start.byte}-${s.end.byte}` : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
