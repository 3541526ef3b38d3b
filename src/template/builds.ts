// `build` blocks: which sources run (the `sources` list, then build-level `source` blocks),
// and their provisioners, error-cleanup provisioner and post-processor chains in file order.
// Meta-arguments (only, except, pause_before, ...) are consumed here; plugin bodies are kept
// as syntax for PlannedPlugin.evaluate.
import type { Block, Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { isUnknown } from '../core/model/value.js';
import type { EvalContext } from './adapter.js';
import { suggest } from './adapter.js';
import { expandBody } from './dynamic.js';
import { evalBool, evalDuration, evalInt, evalOverride, evalRefList, evalString } from './meta.js';
import { evaluateIn } from './scope.js';
import { checkLabels, rangeText, unsupported } from './schema.js';
import type { BuildDef, BuildSourceUse, PostProcessorDef, ProvisionerDef, SourceDef, SourceRef, XAttribute, XBlock, XItem } from './types.js';

const BUILD_BLOCKS: Record<string, string[]> = {
  source: ['reference'],
  provisioner: ['type'],
  'error-cleanup-provisioner': ['type'],
  'post-processor': ['type'],
  'post-processors': [],
  hcp_packer_registry: [],
};
const BUILD_ATTRS = ['name', 'description', 'sources'];
const PROVISIONER_META = new Set(['only', 'except', 'pause_before', 'max_retries', 'timeout', 'override', 'name']);
const POST_PROCESSOR_META = new Set(['only', 'except', 'keep_input_artifact', 'name']);

/** Packer's sourceRefFromString: "type.name", or "source.type.name" with the prefix dropped. */
export function parseSourceRef(text: string): SourceRef | null {
  const parts = text.split('.');
  if (parts.length < 2) return null;
  const [type, name] = parts.length > 2 ? [parts[1], parts.slice(2).join('.')] : [parts[0], parts[1]];
  if (!type || !name) return null;
  return { type, name };
}

export function decodeBuild(block: Block, ctx: EvalContext, diags: Diagnostic[]): BuildDef {
  const build: BuildDef = { name: '', description: '', range: block.range, sources: [], provisioners: [], errorCleanupProvisioner: null, postProcessorChains: [] };
  const items = expandBody(block.body, {}, ctx, diags);
  const seenAttrs = new Map<string, Range>();
  let sourcesAttr: XAttribute | null = null;
  const sourceBlocks: XBlock[] = [];
  for (const item of items) {
    if (item.kind === 'attribute') {
      const { attr } = item;
      if (!BUILD_ATTRS.includes(attr.name)) {
        diags.push(unsupported('argument', attr.name, BUILD_ATTRS, 'a build block', attr.nameRange));
        continue;
      }
      const prev = seenAttrs.get(attr.name);
      if (prev) {
        diags.push(error('Duplicate argument', `The argument "${attr.name}" was already set at ${rangeText(prev)}.`, attr.nameRange));
        continue;
      }
      seenAttrs.set(attr.name, attr.nameRange);
      if (attr.name === 'sources') sourcesAttr = item;
      else build[attr.name === 'name' ? 'name' : 'description'] = evalString(attr.expr, ctx, item.bindings, diags) ?? '';
      continue;
    }
    const labels = BUILD_BLOCKS[item.type];
    if (!labels) {
      diags.push(unsupported('block type', item.type, Object.keys(BUILD_BLOCKS), 'a build block', item.typeRange));
      continue;
    }
    if (!checkLabels(asBlock(item), labels, diags)) continue;
    switch (item.type) {
      case 'source':
        sourceBlocks.push(item);
        break;
      case 'provisioner': {
        const p = decodeProvisioner(item, ctx, diags);
        if (p) build.provisioners.push(p);
        break;
      }
      case 'error-cleanup-provisioner': {
        const p = decodeProvisioner(item, ctx, diags);
        if (p && build.errorCleanupProvisioner) {
          diags.push(error('Duplicate error-cleanup-provisioner', `Only one error-cleanup-provisioner is allowed per build; another was declared at ${rangeText(build.errorCleanupProvisioner.range)}.`, item.typeRange));
        } else if (p) {
          build.errorCleanupProvisioner = p;
        }
        break;
      }
      case 'post-processor': {
        const pp = decodePostProcessor(item, ctx, diags);
        if (pp) build.postProcessorChains.push([pp]);
        break;
      }
      case 'post-processors': {
        const chain = decodeChain(item, ctx, diags);
        if (chain.length > 0) build.postProcessorChains.push(chain);
        break;
      }
      default:
        break; // hcp_packer_registry: HCP metadata, accepted and ignored.
    }
  }
  if (sourcesAttr) build.sources.push(...decodeSourcesList(sourcesAttr, ctx, diags));
  for (const sb of sourceBlocks) {
    const use = decodeBuildSource(sb, ctx, diags);
    if (use) build.sources.push(use);
  }
  checkDuplicateUses(build, diags);
  return build;
}

function decodeSourcesList(item: XAttribute, ctx: EvalContext, diags: Diagnostic[]): BuildSourceUse[] {
  const r = evaluateIn(item.attr.expr, ctx, item.bindings);
  diags.push(...r.diagnostics);
  if (r.diagnostics.some((d) => d.severity === 'error')) return [];
  if (isUnknown(r.value)) return [];
  if (!Array.isArray(r.value) || !r.value.every((v) => typeof v === 'string')) {
    diags.push(error('Invalid "sources" value', 'sources must be a list of source references like "source.docker.example".', item.attr.expr.range));
    return [];
  }
  const literal = item.attr.expr.kind === 'tuple' ? item.attr.expr.items : null;
  const out: BuildSourceUse[] = [];
  (r.value).forEach((text, i) => {
    const range = literal?.[i]?.range ?? item.attr.expr.range;
    const ref = resolveRef(text, range, diags);
    if (ref) out.push({ ref, localName: null, extra: [], range, refRange: range });
  });
  return out;
}

function decodeBuildSource(item: XBlock, ctx: EvalContext, diags: Diagnostic[]): BuildSourceUse | null {
  const text = item.labels[0] ?? '';
  const refRange = item.labelRanges[0] ?? item.typeRange;
  const ref = resolveRef(text, refRange, diags);
  if (!ref) return null;
  let localName: string | null = null;
  const extra: XItem[] = [];
  for (const x of expandBody(item.body, item.bindings, ctx, diags)) {
    if (x.kind === 'attribute' && x.attr.name === 'name') {
      localName = evalString(x.attr.expr, ctx, x.bindings, diags);
      continue;
    }
    extra.push(x);
  }
  return { ref, localName, extra, range: item.range, refRange };
}

function resolveRef(text: string, range: Range, diags: Diagnostic[]): SourceRef | null {
  const ref = parseSourceRef(text);
  if (!ref) {
    diags.push(error('Invalid "sources" value', `"${text}" is not a source reference. A source is referenced as "source.type.name" or "type.name".`, range));
    return null;
  }
  return ref;
}

/** As Packer, a build naming an undeclared source is an error when builds are planned. */
export function unknownSource(use: BuildSourceUse, sources: Map<string, SourceDef>): Diagnostic | null {
  const key = `${use.ref.type}.${use.ref.name}`;
  if (sources.has(key)) return null;
  const hint = suggest(key, sources.keys());
  const known = [...sources.keys()];
  return error(
    `Unknown source ${key}`,
    `The build refers to source "${key}", which is not declared.${hint ? ` Did you mean "${hint}"?` : known.length > 0 ? ` Declared sources: ${known.join(', ')}.` : ' No source blocks are declared.'}`,
    use.refRange,
  );
}

function checkDuplicateUses(build: BuildDef, diags: Diagnostic[]): void {
  const seen = new Map<string, Range>();
  build.sources = build.sources.filter((u) => {
    const key = `${u.ref.type}.${u.localName ?? u.ref.name}`;
    const prev = seen.get(key);
    if (prev) {
      diags.push(error('Duplicate source in build', `The source "${key}" is already used by this build at ${rangeText(prev)}. Give the build-level source block a different name.`, u.range));
      return false;
    }
    seen.set(key, u.range);
    return true;
  });
}

function decodeChain(item: XBlock, ctx: EvalContext, diags: Diagnostic[]): PostProcessorDef[] {
  const chain: PostProcessorDef[] = [];
  for (const x of expandBody(item.body, item.bindings, ctx, diags)) {
    if (x.kind === 'attribute') {
      diags.push(unsupported('argument', x.attr.name, [], 'a post-processors block', x.attr.nameRange));
      continue;
    }
    if (x.type !== 'post-processor') {
      diags.push(unsupported('block type', x.type, ['post-processor'], 'a post-processors block', x.typeRange));
      continue;
    }
    if (!checkLabels(asBlock(x), ['type'], diags)) continue;
    const pp = decodePostProcessor(x, ctx, diags);
    if (pp) chain.push(pp);
  }
  return chain;
}

interface Split {
  meta: Map<string, XAttribute>;
  rest: XItem[];
}

/** Separates meta-arguments from the plugin body, without expanding nested dynamic blocks. */
function splitMeta(item: XBlock, metaNames: Set<string>, diags: Diagnostic[]): Split {
  const meta = new Map<string, XAttribute>();
  const rest: XItem[] = [];
  for (const bi of item.body.items) {
    if (bi.kind === 'attribute' && metaNames.has(bi.name)) {
      const prev = meta.get(bi.name);
      if (prev) {
        diags.push(error('Duplicate argument', `The argument "${bi.name}" was already set at ${rangeText(prev.attr.nameRange)}.`, bi.nameRange));
        continue;
      }
      meta.set(bi.name, { kind: 'attribute', attr: bi, bindings: item.bindings });
    } else if (bi.kind === 'attribute') {
      rest.push({ kind: 'attribute', attr: bi, bindings: item.bindings });
    } else {
      rest.push({ kind: 'block', type: bi.type, typeRange: bi.typeRange, labels: bi.labels, labelRanges: bi.labelRanges, body: bi.body, range: bi.range, bindings: item.bindings });
    }
  }
  return { meta, rest };
}

/** What provisioner and post-processor blocks share: type label, name, only/except, body. */
function decodePluginBlock(item: XBlock, { meta, rest }: Split, ctx: EvalContext, diags: Diagnostic[]) {
  const only = evalRefList(meta.get('only'), ctx, diags);
  const except = evalRefList(meta.get('except'), ctx, diags);
  checkOnlyExcept(only, except, item, diags);
  const name = meta.get('name');
  return {
    type: item.labels[0] ?? '',
    typeRange: item.labelRanges[0] ?? item.typeRange,
    range: item.range,
    items: rest,
    bodyRange: item.body.range,
    name: name ? evalString(name.attr.expr, ctx, name.bindings, diags) : null,
    only,
    except,
  };
}

function decodeProvisioner(item: XBlock, ctx: EvalContext, diags: Diagnostic[]): ProvisionerDef | null {
  const split = splitMeta(item, PROVISIONER_META, diags);
  const meta = split.meta;
  const before = diags.length;
  const common = decodePluginBlock(item, split, ctx, diags);
  const pause = evalDuration(meta.get('pause_before'), ctx, diags);
  const timeout = evalDuration(meta.get('timeout'), ctx, diags);
  const retries = evalInt(meta.get('max_retries'), ctx, diags);
  const override = evalOverride(meta.get('override'), ctx, diags);
  const p: ProvisionerDef = {
    ...common,
    pauseBeforeMs: pause ?? 0,
    maxRetries: retries ?? 0,
    timeoutMs: timeout && timeout > 0 ? timeout : null,
    override,
  };
  return diags.slice(before).some((d) => d.severity === 'error') ? null : p;
}

function decodePostProcessor(item: XBlock, ctx: EvalContext, diags: Diagnostic[]): PostProcessorDef | null {
  const split = splitMeta(item, POST_PROCESSOR_META, diags);
  const meta = split.meta;
  const before = diags.length;
  const common = decodePluginBlock(item, split, ctx, diags);
  const keep = meta.get('keep_input_artifact');
  const pp: PostProcessorDef = { ...common, keepInputArtifact: keep ? evalBool(keep, ctx, diags) : null };
  return diags.slice(before).some((d) => d.severity === 'error') ? null : pp;
}

function checkOnlyExcept(only: string[], except: string[], item: XBlock, diags: Diagnostic[]): void {
  if (only.length > 0 && except.length > 0) {
    diags.push(error('Both only and except are set', `A ${item.type} may use "only" or "except", not both.`, item.typeRange));
  }
}

function asBlock(x: XBlock): Block {
  return { kind: 'block', type: x.type, typeRange: x.typeRange, labels: x.labels, labelRanges: x.labelRanges, body: x.body, range: x.range, openBraceRange: x.range };
}
