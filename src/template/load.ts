// loadTemplate: a folder (every *.pkr.hcl / *.pkr.json, sorted by name, plus
// *.auto.pkrvars.*) or one template file becomes one Template, with variables resolved,
// locals evaluated and builds decoded. Problems come back as diagnostics, never thrown.
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { File } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error, hasErrors } from '../hcl/diagnostic.js';
import type { EvalContext } from './adapter.js';
import { parseFile, parseJSONFile } from './adapter.js';
import { decodeTopLevel } from './blocks.js';
import { decodeBuild } from './builds.js';
import { dedupe } from './schema.js';
import { templateContext } from './scope.js';
import type { LoadOptions, Template } from './types.js';
import { readSourceFile } from './source-file.js';
import { evaluateLocalsAndData } from './value-stage.js';
import { readVarFile } from './varfiles.js';
import type { InputValue } from './variables.js';
import { assignValues, validateVariables } from './variables.js';

export interface LoadResult {
  template: Template | null;
  /**
   * The template as far as it could be decoded, even when values failed (a data source of
   * a type imgbuild lacks, an unset variable): `validate` goes on with it to report every
   * plugin problem at once. Null when the files could not be read or parsed.
   */
  decoded?: Template;
  diagnostics: Diagnostic[];
  /** Every file read (templates and variable files), for code frames. */
  sources: Map<string, string>;
}

const TEMPLATE_EXTS = ['.pkr.hcl', '.pkr.json'];
const AUTO_VAR_EXTS = ['.auto.pkrvars.hcl', '.auto.pkrvars.json'];

export async function loadTemplate(templatePath: string, opts: LoadOptions): Promise<LoadResult> {
  const diags: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const found = await findFiles(templatePath, opts.cwd, diags);
  if (!found) return { template: null, diagnostics: diags, sources };

  const files: File[] = [];
  for (const f of found.templates) {
    const read = await readSourceFile(f.abs, f.display, diags);
    if (read === null) continue;
    sources.set(f.display, read.text);
    if (!read.decoded) continue;
    const text = read.text;
    const parsed = f.display.endsWith('.json') ? parseJSONFile(text, f.display) : parseFile(text, f.display);
    diags.push(...parsed.diagnostics);
    if (parsed.file) files.push(parsed.file);
  }
  if (hasErrors(diags)) return { template: null, diagnostics: diags, sources };

  const now = opts.now ?? (() => new Date());
  const limit = opts.maxFileBytes === undefined ? {} : { maxFileBytes: opts.maxFileBytes };
  const fnCtx: EvalContext = { variables: {}, baseDir: opts.cwd, now, env: opts.env, ...limit };
  const top = decodeTopLevel(files, fnCtx, diags);

  const inputs: InputValue[] = envInputs(opts.env);
  for (const f of found.autoVarFiles) inputs.push(...(await readVarFile(f.abs, f.display, 'auto-varfile', fnCtx, sources, diags)));
  for (const vf of opts.varFiles) {
    const abs = path.resolve(opts.cwd, vf);
    inputs.push(...(await readVarFile(abs, vf, 'varfile', fnCtx, sources, diags)));
  }
  for (const [name, text] of opts.vars) inputs.push({ name, value: { kind: 'text', text }, range: null, source: 'cli', origin: '-var' });
  const valueDiags: Diagnostic[] = [];
  assignValues(top.variables, inputs, fnCtx, valueDiags);

  const template: Template = {
    dir: found.dir,
    cwd: opts.cwd,
    files,
    sources,
    requiredVersion: top.requiredVersion,
    requiredPlugins: top.requiredPlugins,
    variables: top.variables,
    locals: top.locals,
    sourceBlocks: top.sourceBlocks,
    dataSources: top.dataSources,
    builds: [],
    now,
    ...limit,
  };
  const known = { vars: new Set(top.variables.keys()), locals: new Set(top.locals.keys()) };
  validateVariables(top.variables, templateContext(template), valueDiags);
  await evaluateLocalsAndData(top.locals, top.dataSources, known, templateContext(template), opts.dataSources, found.dir, valueDiags);
  diags.push(...(opts.lenientValues ? valueDiags.map(demoteValueError) : valueDiags));
  const ctx = templateContext(template);
  for (const block of top.buildBlocks) template.builds.push(decodeBuild(block, ctx, diags));
  return { template: hasErrors(diags) ? null : template, decoded: template, diagnostics: dedupe(diags), sources };
}

/** Errors that only mean "this value cannot be computed here"; see LoadOptions.lenientValues. */
function demoteValueError(d: Diagnostic): Diagnostic {
  const valueOnly = d.summary.startsWith('Unset variable') || d.summary === 'Error in function call' || d.summary === 'Invalid function argument';
  return valueOnly && d.severity === 'error' ? { ...d, severity: 'warning' } : d;
}

interface FoundFile {
  abs: string;
  /** The name used in diagnostics: the path as the user wrote it, joined with the file name. */
  display: string;
}

interface Found {
  dir: string;
  templates: FoundFile[];
  autoVarFiles: FoundFile[];
}

async function findFiles(templatePath: string, cwd: string, diags: Diagnostic[]): Promise<Found | null> {
  const abs = path.resolve(cwd, templatePath);
  let isDir: boolean;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch {
    diags.push(error('Template not found', `There is no file or folder at "${templatePath}". Pass a *.pkr.hcl file or a folder containing them.`));
    return null;
  }
  if (!isDir) {
    if (!TEMPLATE_EXTS.some((e) => abs.endsWith(e))) {
      diags.push(error('Unsupported template file', `"${templatePath}" is not a template: ${extensionHint(abs)}`));
      return null;
    }
    return { dir: path.dirname(abs), templates: [{ abs, display: templatePath }], autoVarFiles: [] };
  }
  const names = (await readdir(abs)).sort();
  const pick = (exts: string[]): FoundFile[] =>
    names.filter((n) => exts.some((e) => n.endsWith(e))).map((n) => ({ abs: path.join(abs, n), display: path.join(templatePath, n) }));
  const templates = pick(TEMPLATE_EXTS);
  if (templates.length === 0) {
    const near = names.filter((n) => n.endsWith('.hcl') || n.endsWith('.json'));
    diags.push(
      error(
        'No template files found',
        `The folder "${templatePath}" contains no *.pkr.hcl or *.pkr.json files.${near.length > 0 ? ` Found ${near.join(', ')}: template files must end in .pkr.hcl (or .pkr.json).` : ''}`,
      ),
    );
    return null;
  }
  return { dir: abs, templates, autoVarFiles: pick(AUTO_VAR_EXTS) };
}

function extensionHint(file: string): string {
  if (file.endsWith('.pkrvars.hcl') || file.endsWith('.pkrvars.json')) return 'it is a variables file; pass it with -var-file and give the template folder or *.pkr.hcl file instead.';
  if (file.endsWith('.json')) return 'legacy JSON templates are not supported; convert it with `packer hcl2_upgrade`, or name an HCL JSON template *.pkr.json.';
  return 'template files must end in .pkr.hcl or .pkr.json.';
}

function envInputs(env: Record<string, string | undefined>): InputValue[] {
  const out: InputValue[] = [];
  for (const key of Object.keys(env).sort()) {
    const value = env[key];
    if (!key.startsWith('PKR_VAR_') || value === undefined) continue;
    const name = key.slice('PKR_VAR_'.length);
    out.push({ name, value: { kind: 'text', text: value }, range: null, source: 'env', origin: `the ${key} environment variable` });
  }
  return out;
}
