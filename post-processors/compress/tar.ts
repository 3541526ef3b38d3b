// A reproducible tar stream: entries sorted bytewise, numeric uid/gid 0 with no user or
// group names, one fixed mtime, permission bits only, PAX records for long names and huge
// sizes. Same input tree, same bytes, on any machine.
import { createReadStream, promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import { BuildError } from '../../src/core/errors.js';

const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777;

interface Entry {
  name: string;
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  linkname: string;
}

/** Collects the entries for the given top-level paths, each archived under its basename. */
export async function collectEntries(paths: readonly string[]): Promise<Entry[]> {
  const entries: Entry[] = [];
  const tops = new Set<string>();
  for (const p of paths) {
    const name = basename(p);
    if (tops.has(name)) throw new BuildError(`compress: two artifact files are both named "${name}"`, { code: 'E_COMPRESS' });
    tops.add(name);
    await walk(p, name, entries);
  }
  return entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
}

async function walk(path: string, name: string, out: Entry[]): Promise<void> {
  const st = await fs.lstat(path);
  const mode = st.mode & 0o7777;
  if (st.isDirectory()) {
    out.push({ name: `${name}/`, path, type: 'dir', mode, size: 0, linkname: '' });
    for (const child of await fs.readdir(path)) await walk(join(path, child), `${name}/${child}`, out);
  } else if (st.isSymbolicLink()) {
    out.push({ name, path, type: 'symlink', mode, size: 0, linkname: await fs.readlink(path) });
  } else if (st.isFile()) {
    out.push({ name, path, type: 'file', mode, size: st.size, linkname: '' });
  } else {
    throw new BuildError(`compress: ${path} is not a regular file, directory or symlink`, { code: 'E_COMPRESS' });
  }
}

export async function* tarStream(entries: readonly Entry[], mtime: number): AsyncGenerator<Buffer> {
  for (const e of entries) {
    const pax: [string, string][] = [];
    if (Buffer.byteLength(e.name) > 100) pax.push(['path', e.name]);
    if (Buffer.byteLength(e.linkname) > 100) pax.push(['linkpath', e.linkname]);
    if (e.size > MAX_OCTAL_SIZE) pax.push(['size', String(e.size)]);
    if (pax.length > 0) {
      const body = Buffer.from(pax.map(([k, v]) => paxRecord(k, v)).join(''));
      yield header({ name: paxName(e.name), type: 'x', mode: 0o644, size: body.length, linkname: '', mtime });
      yield body;
      yield padding(body.length);
    }
    const typeflag = e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0';
    yield header({ name: e.name, type: typeflag, mode: e.mode, size: e.size, linkname: e.linkname, mtime });
    if (e.type === 'file') {
      let seen = 0;
      for await (const chunk of createReadStream(e.path)) {
        const b = chunk as Buffer;
        seen += b.length;
        if (seen > e.size) break;
        yield b;
      }
      if (seen !== e.size) {
        throw new BuildError(`compress: ${e.path} changed size while being archived`, { code: 'E_COMPRESS' });
      }
      yield padding(e.size);
    }
  }
  yield Buffer.alloc(BLOCK * 2);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body);
  len += String(len).length;
  if (String(len).length !== String(len - String(len).length).length) len++;
  return `${len}${body}`;
}

function paxName(name: string): string {
  return `PaxHeaders/${basename(name.replace(/\/$/, '')).slice(0, 80)}`;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

function header(h: { name: string; type: string; mode: number; size: number; linkname: string; mtime: number }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(truncate(h.name, 100), 0, 'utf8');
  octal(b, h.mode, 100, 8);
  octal(b, 0, 108, 8);
  octal(b, 0, 116, 8);
  octal(b, h.size > MAX_OCTAL_SIZE ? 0 : h.size, 124, 12);
  octal(b, h.mtime, 136, 12);
  b.fill(0x20, 148, 156);
  b.write(h.type, 156, 'ascii');
  b.write(truncate(h.linkname, 100), 157, 'utf8');
  b.write('ustar\u000000', 257, 'binary');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'ascii');
  return b;
}

function octal(b: Buffer, n: number, off: number, len: number): void {
  b.write(`${Math.floor(n).toString(8).padStart(len - 1, '0')}\u0000`, off, 'ascii');
}

/** Cut to `max` bytes on a character boundary; the full name is in the PAX record. */
function truncate(s: string, max: number): string {
  let out = s;
  while (Buffer.byteLength(out) > max) out = out.slice(0, -1);
  return out;
}
