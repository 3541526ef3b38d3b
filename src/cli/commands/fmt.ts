// `imgbuild fmt`: rewrites .pkr.hcl and .pkrvars.hcl files in the canonical layout. Like
// packer (and terraform) fmt, -check exits 3 when any file would change, so CI can tell
// "unformatted" (3) from "cannot parse" (1).
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode } from '../../core/errors.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { error } from '../../hcl/diagnostic.js';
import { decodeSource } from '../../hcl/decode.js';
import { formatHCL } from '../../hcl/format.js';
import { readSourceFile } from '../../template/source-file.js';
import { reportOrThrow } from '../load.js';
import { ExitError } from '../report-error.js';
import { unifiedDiff } from '../unified-diff.js';
import type { CliIo } from '../io.js';

export interface FmtFlags {
  check?: boolean;
  diff?: boolean;
  /** commander's `--no-write`: false when -write=false was given. */
  write: boolean;
  recursive?: boolean;
  color?: boolean;
}

/** Packer's and terraform's exit status for `fmt -check` when something is unformatted. */
export const FMT_CHECK_FAILED = 3;

const FORMATTABLE = ['.pkr.hcl', '.pkrvars.hcl'];

export async function runFmt(paths: string[], flags: FmtFlags, io: CliIo): Promise<number> {
  const check = flags.check === true;
  const write = flags.write && !check;
  if (paths.includes('-')) {
    if (paths.length > 1) throw new ExitError(ExitCode.USAGE, 'Error: "-" (stdin) cannot be combined with other paths.');
    return formatStdin(flags, io, check);
  }
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const files: string[] = [];
  for (const p of paths) files.push(...(await collect(p, io.cwd, flags.recursive === true, diagnostics)));

  let changed = 0;
  for (const file of files) {
    const read = await readSourceFile(path.resolve(io.cwd, file), file, diagnostics);
    if (read === null) continue;
    sources.set(file, read.text);
    // A file that is not UTF-8 is never rewritten: its bytes would be changed for good.
    if (!read.decoded) continue;
    const source = read.text;
    const result = formatHCL(source, file);
    if (result.diagnostics.some((d) => d.severity === 'error')) {
      diagnostics.push(...result.diagnostics);
      continue;
    }
    if (result.output === source) continue;
    changed++;
    io.stdout.write(`${file}\n`);
    if (flags.diff === true) io.stdout.write(unifiedDiff(source, result.output, `old/${file}`, `new/${file}`));
    if (write) await writeFile(path.resolve(io.cwd, file), result.output);
  }
  await reportOrThrow(diagnostics, sources, flags, io);
  return check && changed > 0 ? FMT_CHECK_FAILED : ExitCode.OK;
}

async function formatStdin(flags: FmtFlags, io: CliIo, check: boolean): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  const decoded = decodeSource(Buffer.concat(chunks), '<stdin>');
  const source = decoded.text;
  await reportOrThrow(decoded.diagnostics, new Map([['<stdin>', source]]), flags, io);
  const result = formatHCL(source, '<stdin>');
  await reportOrThrow(result.diagnostics, new Map([['<stdin>', source]]), flags, io);
  if (check) return result.output === source ? ExitCode.OK : FMT_CHECK_FAILED;
  if (flags.diff === true) io.stdout.write(unifiedDiff(source, result.output, 'old/<stdin>', 'new/<stdin>'));
  else io.stdout.write(result.output);
  return ExitCode.OK;
}

/** A named file is formatted whatever its name; a directory contributes its HCL files. */
async function collect(p: string, cwd: string, recursive: boolean, diagnostics: Diagnostic[]): Promise<string[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path.resolve(cwd, p))).isDirectory();
  } catch {
    diagnostics.push(error('No such file or directory', `There is no file or directory named ${p}.`));
    return [];
  }
  // As packer: JSON templates and var files are left alone even when named explicitly.
  if (!isDir) return p.endsWith('.json') ? [] : [p];
  const out: string[] = [];
  const entries = await readdir(path.resolve(cwd, p), { withFileTypes: true });
  entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const e of entries) {
    const child = p === '.' ? e.name : path.join(p, e.name);
    if (e.isDirectory()) {
      // Dot-directories (.git, .terraform) and node_modules never hold templates to format.
      if (recursive && !e.name.startsWith('.') && e.name !== 'node_modules') {
        out.push(...(await collect(child, cwd, recursive, diagnostics)));
      }
    } else if (e.isFile() && FORMATTABLE.some((s) => e.name.endsWith(s))) {
      out.push(child);
    }
  }
  return out;
}
