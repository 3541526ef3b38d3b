// `validate -syntax-only`: parse every file the template consists of (and the var files
// given) without evaluating anything, the way `packer validate -syntax-only` does.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { parseFile, parseJSONFile } from '../template/adapter.js';
import { readSourceFile } from '../template/source-file.js';
import { parseVarFlags, reportOrThrow, type TemplateFlags } from './load.js';
import type { CliIo } from './io.js';

const TEMPLATE_SUFFIXES = ['.pkr.hcl', '.pkr.json'];
const VARFILE_SUFFIXES = ['.auto.pkrvars.hcl', '.auto.pkrvars.json'];

export async function checkSyntax(templatePath: string, flags: TemplateFlags, io: CliIo): Promise<void> {
  parseVarFlags(flags.var ?? []);
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const files = [...(await templateFiles(templatePath, io.cwd, diagnostics)), ...(flags.varFile ?? [])];
  const varFiles = new Set(flags.varFile ?? []);
  for (const file of files) {
    const read = await readSourceFile(path.resolve(io.cwd, file), file, diagnostics);
    if (read === null) continue;
    sources.set(file, read.text);
    if (!read.decoded) continue;
    const isVarFile = varFiles.has(file) || VARFILE_SUFFIXES.some((s) => file.endsWith(s));
    // JSON files take the JSON parser; a variable file has no blocks, every key is a value.
    const result = file.endsWith('.json') ? parseJSONFile(read.text, file, isVarFile) : parseFile(read.text, file);
    diagnostics.push(...result.diagnostics);
  }
  await reportOrThrow(diagnostics, sources, flags, io);
}

/** The template's files as the loader names them: the file itself, or a directory's *.pkr.{hcl,json}. */
async function templateFiles(templatePath: string, cwd: string, diagnostics: Diagnostic[]): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path.resolve(cwd, templatePath))).isDirectory();
  } catch {
    diagnostics.push(error('Template not found', `There is no file or directory named ${templatePath}.`));
    return [];
  }
  if (!isDir) return [templatePath];
  const names = (await readdir(path.resolve(cwd, templatePath))).sort();
  const picked = names.filter(
    (n) => TEMPLATE_SUFFIXES.some((s) => n.endsWith(s)) || VARFILE_SUFFIXES.some((s) => n.endsWith(s)),
  );
  if (!picked.some((n) => TEMPLATE_SUFFIXES.some((s) => n.endsWith(s)))) {
    diagnostics.push(
      error('No template files', `The directory ${templatePath} contains no *.pkr.hcl or *.pkr.json files.`),
    );
  }
  return picked.map((n) => path.join(templatePath, n));
}
