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

/** The labels of `provisioner "TYPE"` blocks in file order (files in name order), comments skipped. */
export function provisionerTypesInText(files: readonly string[]): string[] {
  const types: string[] = [];
  for (const f of files) {
    const text = stripComments(readFileSync(f, 'utf8'));
    for (const m of text.matchAll(/^\s*provisioner\s+"([^"]+)"/gm)) types.push(m[1] ?? '');
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
