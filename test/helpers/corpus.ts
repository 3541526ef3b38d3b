// The shared Packer corpus (../shared/packer-corpus) as templates to run: every folder is
// one template, every single .pkr.hcl file is one, and *.pkrvars.hcl files are var files
// paired with the template they belong to. Used by the corpus e2e test and the bench.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CORPUS_DIR } from './cli.js';

export interface CorpusTemplate {
  /** A readable id: the corpus entry name, plus the var file for paired variants. */
  id: string;
  /** Absolute path of the template file or folder. */
  path: string;
  isDir: boolean;
  /** Absolute paths of the var files to pass with -var-file. */
  varFiles: string[];
  /** The template's .pkr.hcl files (absolute), in name order. */
  files: string[];
}

/** Entries whose variables are required and come from a sibling var file. */
const PAIRED_VAR_FILES: Record<string, string[]> = {
  '10-chef__bento__packer_templates': [
    '11-chef__bento__os_pkrvars__ubuntu__ubuntu-24.04-x86_64.pkrvars.hcl',
    '12-chef__bento__os_pkrvars__windows__windows-2022-x86_64.pkrvars.hcl',
  ],
};

/** Folders that hold their own (non-auto) var files: the one to use. */
const OWN_VAR_FILE: Record<string, string> = {
  '37-tenminutevpn__tenminutevpn__packer': 'variables.amd64.pkrvars.hcl',
  '49-pfuntner__bruno-packer__file': 'var-file.pkrvars.hcl',
};

export function corpusTemplates(dir: string = CORPUS_DIR): CorpusTemplate[] {
  const out: CorpusTemplate[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const isDir = statSync(full).isDirectory();
    if (!isDir && !(name.endsWith('.pkr.hcl') || name.endsWith('.pkr.json'))) continue;
    const files = isDir
      ? readdirSync(full)
          .filter((n) => n.endsWith('.pkr.hcl'))
          .sort()
          .map((n) => path.join(full, n))
      : [full];
    const own = OWN_VAR_FILE[name];
    const paired = PAIRED_VAR_FILES[name];
    if (paired !== undefined) {
      for (const vf of paired) {
        out.push({ id: `${name} + ${vf.slice(0, 2)}`, path: full, isDir, varFiles: [path.join(dir, vf)], files });
      }
    } else {
      out.push({ id: name, path: full, isDir, varFiles: own === undefined ? [] : [path.join(full, own)], files });
    }
  }
  return out;
}

export function varFileArgs(t: CorpusTemplate): string[] {
  return t.varFiles.flatMap((f) => ['-var-file', f]);
}

export interface PluginUse {
  kind: 'builder' | 'provisioner' | 'post-processor';
  type: string;
  file: string;
  /** The block has `only` or `except`: whether any build uses it depends on the filter. */
  filtered: boolean;
}

/** Top-level `source "TYPE" "NAME"` blocks and every provisioner/post-processor block. */
export function pluginTypesInText(files: readonly string[]): PluginUse[] {
  const out: PluginUse[] = [];
  const patterns: [PluginUse['kind'], RegExp][] = [
    ['builder', /^source\s+"?([\w-]+)"?\s+"?[\w-]+"?\s*\{/gm],
    ['provisioner', /^\s*(?:error-cleanup-)?provisioner\s+"?([\w-]+)"?\s*\{/gm],
    ['post-processor', /^\s*post-processor\s+"?([\w-]+)"?\s*\{/gm],
  ];
  for (const f of files) {
    const text = stripComments(readFileSync(f, 'utf8'));
    for (const [kind, re] of patterns) {
      for (const m of text.matchAll(re)) {
        const body = blockBody(text, (m.index ?? 0) + m[0].length);
        out.push({ kind, type: m[1] ?? '', file: f, filtered: /^\s*(only|except)\s*=/m.test(body) });
      }
    }
  }
  return out;
}

/** The labels of `provisioner "TYPE"` blocks in file order (files in name order), comments skipped. */
export function provisionerTypesInText(files: readonly string[]): string[] {
  const types: string[] = [];
  for (const f of files) {
    const text = stripComments(readFileSync(f, 'utf8'));
    for (const m of text.matchAll(/^\s*provisioner\s+"?([\w-]+)"?\s*\{/gm)) types.push(m[1] ?? '');
  }
  return types;
}

/** Drops # and // line comments and /* *\/ blocks outside strings and heredocs, roughly. */
function stripComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .filter((line) => !/^\s*(#|\/\/)/.test(line))
    .join('\n');
}

/**
 * `-var name=value` arguments for every variable declared without a default, with a
 * placeholder of its declared type: what a user passes on the command line to inspect or
 * validate a template whose inputs are required.
 */
export function requiredVarArgs(t: CorpusTemplate, alreadySet: ReadonlySet<string> = varFileNames(t)): string[] {
  const args: string[] = [];
  for (const f of t.files) {
    for (const block of variableBlocks(readFileSync(f, 'utf8'))) {
      // `default = null` without a validation is "required" in practice (interpolating
      // null is an error); with one, null is usually the value the validation expects.
      const nullDefault = /^\s*default\s*=\s*null\s*$/m.test(block.body) && !/^\s*validation\s*\{/m.test(block.body);
      const hasDefault = /^\s*default\s*=/m.test(block.body) && !nullDefault;
      if (hasDefault || alreadySet.has(block.name)) continue;
      const type = /^\s*type\s*=\s*(\S+)/m.exec(block.body)?.[1] ?? 'string';
      args.push('-var', `${block.name}=${placeholder(type)}`);
    }
  }
  return args;
}

function placeholder(type: string): string {
  if (type.startsWith('number')) return '1';
  if (type.startsWith('bool')) return 'true';
  // One element, so templates that index the list (`var.versions[0]`) still evaluate.
  if (/^(list|set)\((number)/.test(type)) return '[1]';
  if (/^(list|set)\(string/.test(type)) return '["placeholder"]';
  if (/^(list|set|tuple)/.test(type)) return '[]';
  if (/^(map|object)/.test(type)) return '{}';
  return 'placeholder';
}

/** Names assigned in the template's var files (top-level `name =` lines). */
function varFileNames(t: CorpusTemplate): Set<string> {
  const names = new Set<string>();
  const auto = t.isDir ? readdirSync(t.path).filter((n) => n.endsWith('.auto.pkrvars.hcl')).map((n) => path.join(t.path, n)) : [];
  for (const f of [...t.varFiles, ...auto]) {
    for (const m of readFileSync(f, 'utf8').matchAll(/^([A-Za-z_][\w-]*)\s*=/gm)) names.add(m[1] ?? '');
  }
  return names;
}

/** Top-level `variable "name" { ... }` blocks. */
function variableBlocks(text: string): { name: string; body: string }[] {
  const out: { name: string; body: string }[] = [];
  // Labels may be bare identifiers (`variable DO_TOKEN {`), which HCL accepts.
  for (const m of text.matchAll(/^variable\s+"?([\w-]+)"?\s*\{/gm)) {
    out.push({ name: m[1] ?? '', body: blockBody(text, (m.index ?? 0) + m[0].length) });
  }
  return out;
}

/** The text of a block from just after its `{` to its matching `}`, braces in strings skipped. */
function blockBody(text: string, start: number): string {
  let depth = 1;
  let i = start;
  let inString = false;
  for (; i < text.length && depth > 0; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
  }
  return text.slice(start, i - 1);
}
