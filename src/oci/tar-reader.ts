// A streaming tar reader for untrusted input (base layers, archives): ustar, PAX (path,
// linkpath, size, ids, SCHILY.xattr.*) and GNU long names. It only parses; deciding what is
// safe to create is extract.ts's job. Paths are returned exactly as stored.
import { OciError } from './errors.js';
import type { TarType } from './tar-header.js';

export interface TarReadEntry {
  path: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Array<[string, Buffer]>;
  /** The entry's content; unread content is skipped when iteration moves on. */
  body(): AsyncGenerator<Buffer>;
  readAll(): Promise<Buffer>;
}

const TYPES: Record<string, TarType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

export async function* readTar(src: AsyncIterable<Buffer>, what = 'tar'): AsyncGenerator<TarReadEntry> {
  const r = new ByteReader(src[Symbol.asyncIterator]());
  let pax: Map<string, Buffer> = new Map();
  let longName: string | null = null;
  let longLink: string | null = null;
  for (;;) {
    if (!(await r.fill(512))) {
      if (r.length === 0) return; // Missing end blocks: tolerated, as tar(1) does.
      throw new OciError('E_OCI_TAR', `${what}: truncated header`);
    }
    const h = r.take(512);
    if (h.every((b) => b === 0)) return;
    verifyChecksum(h, what);
    const flag = String.fromCharCode(h[156] ?? 0);
    let size = num(h, 124, 12);
    const paxSize = pax.get('size');
    if (paxSize) size = Number(paxSize.toString());
    if (!Number.isSafeInteger(size) || size < 0) throw new OciError('E_OCI_TAR', `${what}: invalid entry size`);
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > 16 << 20) throw new OciError('E_OCI_TAR', `${what}: oversized metadata entry (${size} bytes)`);
      const data = await r.takeExact(size, what);
      await r.skip(pad(size), what);
      if (flag === 'x') pax = parsePax(data, what);
      else if (flag === 'L') longName = cstr(data);
      else if (flag === 'K') longLink = cstr(data);
      continue; // Global headers ('g') carry nothing we honour.
    }
    const type = TYPES[flag];
    if (!type) throw new OciError('E_OCI_TAR', `${what}: ${headerName(h)}: unsupported entry type "${flag}"`);
    const path = pax.get('path')?.toString('utf8') ?? longName ?? headerName(h);
    const linkname = pax.get('linkpath')?.toString('utf8') ?? longLink ?? cstr(h.subarray(157, 257));
    const xattrs: Array<[string, Buffer]> = [];
    for (const [k, v] of pax) if (k.startsWith('SCHILY.xattr.')) xattrs.push([k.slice(13), v]);
    const uid = pax.has('uid') ? Number(pax.get('uid')?.toString()) : num(h, 108, 8);
    const gid = pax.has('gid') ? Number(pax.get('gid')?.toString()) : num(h, 116, 8);
    const mtime = pax.has('mtime') ? Math.trunc(Number(pax.get('mtime')?.toString())) : num(h, 136, 12);
    pax = new Map();
    longName = null;
    longLink = null;
    const bodySize = type === 'file' ? size : 0;
    // Some writers give hardlinks/dirs a size; the data is still there and must be skipped.
    const skipAfter = type === 'file' ? 0 : size;
    let consumed = 0;
    const entry: TarReadEntry = {
      path,
      type,
      mode: num(h, 100, 8),
      uid,
      gid,
      size: bodySize,
      mtime,
      linkname,
      devmajor: num(h, 329, 8),
      devminor: num(h, 337, 8),
      xattrs,
      body: async function* () {
        while (consumed < bodySize) {
          const chunk = await r.takeSome(bodySize - consumed, what);
          consumed += chunk.length;
          yield chunk;
        }
      },
      readAll: async () => {
        const parts: Buffer[] = [];
        for await (const c of entry.body()) parts.push(c);
        return Buffer.concat(parts);
      },
    };
    yield entry;
    await r.skip(bodySize - consumed + skipAfter + pad(size), what);
  }
}

function pad(size: number): number {
  return (512 - (size % 512)) % 512;
}

function headerName(h: Buffer): string {
  const name = cstr(h.subarray(0, 100));
  const magic = h.subarray(257, 263).toString('latin1');
  const prefix = magic.startsWith('ustar') ? cstr(h.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cstr(b: Buffer): string {
  const z = b.indexOf(0);
  return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
}

/** Octal, or GNU base-256 when the high bit of the first byte is set. */
function num(h: Buffer, off: number, len: number): number {
  const f = h.subarray(off, off + len);
  if (((f[0] ?? 0) & 0x80) !== 0) {
    let n = (f[0] ?? 0) & 0x7f;
    for (let i = 1; i < f.length; i++) n = n * 256 + (f[i] ?? 0);
    return n;
  }
  const s = f.toString('latin1').replace(/\0.*$/s, '').trim();
  return s === '' ? 0 : parseInt(s, 8) || 0;
}

function verifyChecksum(h: Buffer, what: string): void {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
  if (sum !== num(h, 148, 8)) throw new OciError('E_OCI_TAR', `${what}: bad header checksum (not a tar, or corrupt)`);
}

function parsePax(data: Buffer, what: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.subarray(i, sp).toString('latin1'), 10);
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > data.length) {
      throw new OciError('E_OCI_TAR', `${what}: malformed PAX header`);
    }
    const rec = data.subarray(sp + 1, i + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq > 0) out.set(rec.subarray(0, eq).toString('utf8'), Buffer.from(rec.subarray(eq + 1)));
    i += len;
  }
  return out;
}

class ByteReader {
  private chunks: Buffer[] = [];
  length = 0;
  private ended = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  async fill(n: number): Promise<boolean> {
    while (this.length < n && !this.ended) {
      const next: IteratorResult<Buffer> = await this.it.next();
      if (next.done === true) this.ended = true;
      else if (next.value.length > 0) {
        this.chunks.push(next.value);
        this.length += next.value.length;
      }
    }
    return this.length >= n;
  }

  take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.length -= n;
    return out;
  }

  async takeExact(n: number, what: string): Promise<Buffer> {
    if (!(await this.fill(n))) throw new OciError('E_OCI_TAR', `${what}: unexpected end of archive`);
    return this.take(n);
  }

  /** Up to n bytes, at least one. */
  async takeSome(n: number, what: string): Promise<Buffer> {
    if (!(await this.fill(1))) throw new OciError('E_OCI_TAR', `${what}: unexpected end of archive`);
    return this.take(Math.min(n, (this.chunks[0] as Buffer).length));
  }

  async skip(n: number, what: string): Promise<void> {
    while (n > 0) {
      const c = await this.takeSome(n, what);
      n -= c.length;
    }
  }
}
