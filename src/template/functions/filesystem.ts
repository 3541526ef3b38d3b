// Filesystem functions, as Packer's (go-cty-funcs) versions behave: relative paths resolve
// from ctx.baseDir, "~" expands to the home directory, and paths are cleaned like Go's
// filepath.Clean. Reading files makes these impure: the result depends on the disk.
import { closeSync, constants as fsConstants, fstatSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { posix as path } from 'node:path';
import { lazyModule } from './lazy.js';

import type { Value } from '../../core/model/value.js';
import { compareStrings } from './shared.js';
import { DEFAULT_MAX_FILE_BYTES, define, FunctionError, type Args, type FunctionContext, type FunctionDef } from './types.js';

const glob = lazyModule<typeof import('minimatch')>('minimatch');

const pathParam = { name: 'path', type: 'string' };

export const filesystemFunctions: FunctionDef[] = [
  define({ name: 'abspath', params: [pathParam] }, (a, ctx) => path.resolve(ctx.baseDir, a.str(0))),
  define({ name: 'basename', params: [pathParam] }, (a) => goBase(a.str(0))),
  define({ name: 'dirname', params: [pathParam] }, (a) => goDir(a.str(0))),
  define({ name: 'pathexpand', params: [pathParam] }, (a) => expandHome(a, a.str(0))),
  define({ name: 'file', params: [pathParam], impure: true }, (a, ctx) => {
    const { file, bytes } = readFileBytes(a, 0, ctx);
    const text = utf8(bytes);
    if (text === null) {
      throw a.fail(
        `contents of ${file} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead`,
      );
    }
    return text;
  }),
  define({ name: 'filebase64', params: [pathParam], impure: true }, (a, ctx) =>
    readFileBytes(a, 0, ctx).bytes.toString('base64'),
  ),
  define({ name: 'fileexists', params: [pathParam], impure: true }, (a, ctx) => {
    const file = resolvePath(a, 0, ctx);
    let st: Stats;
    try {
      st = statSync(file);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return false;
      throw a.fail(`failed to stat ${file}`);
    }
    if (st.isFile()) return true;
    throw a.fail(`${file} is not a regular file, but ${JSON.stringify(modeString(st))}`);
  }),
  define({ name: 'fileset', params: [pathParam, { name: 'pattern', type: 'string' }], impure: true }, (a, ctx) =>
    fileset(a, ctx),
  ),
  define(
    { name: 'templatefile', params: [pathParam, { name: 'vars', type: 'map(any)' }], impure: true },
    (a, ctx) => {
      const { file, bytes } = readFileBytes(a, 0, ctx);
      const vars = a.raw(1);
      if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) {
        throw a.error(1, 'invalid vars value: must be a map');
      }
      const obj = a.obj(1);
      for (const k of Object.keys(obj)) {
        if (!/^[\p{L}_][\p{L}\p{N}_-]*$/u.test(k)) {
          throw a.error(
            1,
            `invalid template variable name ${JSON.stringify(k)}: must start with a letter, followed by zero or more letters, digits, and underscores`,
          );
        }
      }
      const text = utf8(bytes);
      if (text === null) throw a.fail(`contents of ${file} are not valid UTF-8`);
      return ctx.renderTemplate(text, obj, file);
    },
  ),
];

/**
 * Reads a file argument; shared with the file-hashing functions. Only a regular file, and
 * only up to the size limit: `file("/dev/zero")` would otherwise read forever, and a FIFO
 * would block. The file is opened first and checked through its descriptor, so what is
 * checked is what is read.
 */
export function readFileBytes(a: Args, i: number, ctx: FunctionContext): { file: string; bytes: Buffer } {
  const file = resolvePath(a, i, ctx);
  const limit = ctx.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw a.fail(`no file exists at ${file}`);
    throw a.fail(`failed to read ${file}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw a.fail(`${file} is not a regular file, but ${JSON.stringify(modeString(st))}; the file functions read regular files only`);
    if (st.size > limit) {
      throw a.fail(
        `${file} is ${st.size} bytes, more than the ${limit}-byte limit of the file functions; set IMGBUILD_MAX_FILE_SIZE (e.g. 64MiB) to raise it`,
      );
    }
    // Read at most limit + 1 bytes whatever the size said: a file that grows is caught too.
    const buf = Buffer.alloc(Math.min(st.size, limit) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === buf.length) break;
    }
    if (got > limit) throw a.fail(`${file} grew past the ${limit}-byte limit of the file functions while being read`);
    return { file, bytes: buf.subarray(0, got) };
  } catch (e) {
    if (e instanceof FunctionError) throw e;
    throw a.fail(`failed to read ${file}`);
  } finally {
    closeSync(fd);
  }
}

function resolvePath(a: Args, i: number, ctx: FunctionContext): string {
  const p = expandHome(a, a.str(i));
  return goClean(path.isAbsolute(p) ? p : path.join(ctx.baseDir, p));
}

/** go-homedir's Expand: only "~" and "~/..." are expanded. */
function expandHome(a: Args, p: string): string {
  if (!p.startsWith('~')) return p;
  if (p.length > 1 && p[1] !== '/') throw a.fail('failed to expand ~: cannot expand user-specific home dir');
  return goClean(path.join(homedir(), p.slice(1)));
}

/** Go's filepath.Clean. */
function goClean(p: string): string {
  if (p === '') return '.';
  const n = path.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Go's filepath.Base. */
function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's filepath.Dir. */
function goDir(p: string): string {
  return goClean(p.slice(0, p.lastIndexOf('/') + 1));
}

function utf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
}

/** Go's os.FileMode.String() for the common types. */
function modeString(st: Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'L' : st.isFIFO() ? 'p' : st.isSocket() ? 'S' : st.isCharacterDevice() ? 'Dc' : st.isBlockDevice() ? 'D' : '-';
  const rwx = 'rwxrwxrwx';
  let perm = '';
  for (let i = 0; i < 9; i++) perm += st.mode & (1 << (8 - i)) ? rwx[i] : '-';
  return type + perm;
}

/** Regular files under `path` matching a doublestar pattern, relative and sorted. */
function fileset(a: Args, ctx: FunctionContext): Value {
  const raw = a.str(0);
  const base = goClean(path.isAbsolute(raw) ? raw : path.join(ctx.baseDir, raw));
  const pattern = a.str(1);
  const full = goClean(path.join(base, pattern));
  if (!balanced(pattern)) throw a.fail(`failed to glob pattern (${full}): syntax error in pattern`);
  // The pattern relative to base; a pattern that climbs out of base ("../x") matches nothing
  // below it, as in Packer, where the results would not be relative paths anyway.
  const rel = path.relative(base, full);
  if (rel.startsWith('..')) return [];
  const depth = rel.includes('**') ? Infinity : rel.split('/').length;
  const out: string[] = [];
  walk(base, '', depth, (relPath) => {
    if (glob().minimatch(relPath, rel, { dot: true })) out.push(relPath);
  });
  return out.sort(compareStrings);
}

function walk(root: string, rel: string, depth: number, visit: (rel: string) => void): void {
  if (depth <= 0) return;
  let entries;
  try {
    entries = readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(root, r, depth - 1, visit);
    else if (e.isFile()) visit(r);
    else if (e.isSymbolicLink()) {
      try {
        if (statSync(path.join(root, r)).isFile()) visit(r);
      } catch {
        // A dangling link is not a regular file.
      }
    }
  }
}

function balanced(pattern: string): boolean {
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') depth++;
    else if (c === ']' && depth > 0) depth--;
  }
  return depth === 0;
}
