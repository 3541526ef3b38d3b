// A minimal, deterministic ustar/PAX header writer. Every field is fixed by the entry alone
// (no uname/gname, no atime/ctime, numeric ids), and a PAX record is written only when a
// value does not fit ustar, so equal trees give byte-equal tars.

export type TarType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarEntry {
  /** Relative path, no leading `./` or `/`; directories without trailing slash. */
  path: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Sorted by name by the caller. Values are raw bytes. */
  xattrs?: Array<[string, Buffer]>;
}

const TYPEFLAG: Record<TarType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

/** Header block(s) for one entry (PAX extended header first when needed). */
export function encodeHeader(e: TarEntry): Buffer {
  const name = e.type === 'dir' ? `${e.path}/` : e.path;
  const nameBytes = Buffer.from(name, 'utf8');
  const linkBytes = e.linkname === undefined ? Buffer.alloc(0) : Buffer.from(e.linkname, 'utf8');
  const pax: Array<[string, Buffer]> = [];

  const split = splitName(nameBytes);
  if (!split) pax.push(['path', nameBytes]);
  if (linkBytes.length > 100) pax.push(['linkpath', linkBytes]);
  if (e.size > MAX_OCTAL_11) pax.push(['size', Buffer.from(String(e.size))]);
  if (e.uid > MAX_OCTAL_7) pax.push(['uid', Buffer.from(String(e.uid))]);
  if (e.gid > MAX_OCTAL_7) pax.push(['gid', Buffer.from(String(e.gid))]);
  for (const [k, v] of e.xattrs ?? []) pax.push([`SCHILY.xattr.${k}`, v]);

  const block = Buffer.alloc(512);
  if (split) {
    split.name.copy(block, 0);
    split.prefix.copy(block, 345);
  } else {
    nameBytes.subarray(0, 100).copy(block, 0);
  }
  octal(block, 100, 8, e.mode & 0o7777);
  octal(block, 108, 8, Math.min(e.uid, MAX_OCTAL_7));
  octal(block, 116, 8, Math.min(e.gid, MAX_OCTAL_7));
  octal(block, 124, 12, Math.min(e.size, MAX_OCTAL_11));
  octal(block, 136, 12, Math.max(0, Math.min(e.mtime, MAX_OCTAL_11)));
  block.write(TYPEFLAG[e.type], 156, 'latin1');
  linkBytes.subarray(0, 100).copy(block, 157);
  block.write('ustar\u000000', 257, 'latin1');
  octal(block, 329, 8, e.devmajor ?? 0);
  octal(block, 337, 8, e.devminor ?? 0);
  checksum(block);
  if (pax.length === 0) return block;
  return Buffer.concat([paxHeader(pax, nameBytes), block]);
}

/** Two zero blocks end the archive (no padding to a 10 KiB record, as Go's archive/tar). */
export const TAR_END = Buffer.alloc(1024);

export function padding(size: number): Buffer {
  const r = size % 512;
  return r === 0 ? EMPTY : Buffer.alloc(512 - r);
}
const EMPTY = Buffer.alloc(0);

function paxHeader(records: Array<[string, Buffer]>, nameBytes: Buffer): Buffer {
  const body = Buffer.concat(records.map(([k, v]) => paxRecord(k, v)));
  const hdr = Buffer.alloc(512);
  // A fixed, short name: extractors ignore it, and it must not depend on anything variable.
  const base = nameBytes.toString('utf8').replace(/\/$/, '').split('/').pop() ?? '';
  Buffer.from(`PaxHeaders.0/${base}`, 'utf8').subarray(0, 100).copy(hdr, 0);
  octal(hdr, 100, 8, 0o644);
  octal(hdr, 108, 8, 0);
  octal(hdr, 116, 8, 0);
  octal(hdr, 124, 12, body.length);
  octal(hdr, 136, 12, 0);
  hdr.write('x', 156, 'latin1');
  hdr.write('ustar\u000000', 257, 'latin1');
  octal(hdr, 329, 8, 0);
  octal(hdr, 337, 8, 0);
  checksum(hdr);
  return Buffer.concat([hdr, body, padding(body.length)]);
}

/** `"<len> <key>=<value>\n"` where len counts itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(key) + value.length + 3; // space, '=', newline
  let len = rest + String(rest).length;
  if (String(len).length !== String(len - rest).length) len = rest + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`, 'utf8'), value, Buffer.from('\n')]);
}

/** ustar splits a long name at a `/` into prefix (≤155) and name (≤100). */
function splitName(b: Buffer): { name: Buffer; prefix: Buffer } | null {
  if (b.length <= 100) return { name: b, prefix: EMPTY };
  if (b.length > 256) return null;
  // A trailing slash (directories) belongs to the name part.
  for (let i = b.length - 1; i > 0; i--) {
    if (b[i] !== 0x2f || i === b.length - 1) continue;
    const prefix = b.subarray(0, i);
    const name = b.subarray(i + 1);
    if (prefix.length <= 155 && name.length <= 100 && name.length > 0) return { name, prefix };
    if (prefix.length <= 155) return null;
  }
  return null;
}

function octal(block: Buffer, off: number, len: number, n: number): void {
  const s = Math.trunc(n).toString(8).padStart(len - 1, '0');
  block.write(s, off, len - 1, 'latin1');
  block[off + len - 1] = 0;
}

function checksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += block[i] ?? 0;
  block.write(sum.toString(8).padStart(6, '0'), 148, 6, 'latin1');
  block[154] = 0;
  block[155] = 0x20;
}
