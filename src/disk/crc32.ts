// CRC-32 (IEEE, as GPT uses) and CRC-32C (Castagnoli, as VHDX headers and ext4 metadata use).
// Node 20's zlib has no crc32 before 20.15, so table versions.
function table(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

const IEEE = table(0xedb88320);
const CASTAGNOLI = table(0x82f63b78);

/** Slicing-by-8 tables for CRC-32C: row k advances a byte through k more zero bytes. */
const CASTAGNOLI8 = (() => {
  const t = new Uint32Array(8 * 256);
  t.set(CASTAGNOLI);
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n] ?? 0;
      t[k * 256 + n] = ((CASTAGNOLI[prev & 0xff] ?? 0) ^ (prev >>> 8)) >>> 0;
    }
  }
  return t;
})();

function update(t: Uint32Array, crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  let c = crc;
  for (let i = start; i < end; i++) c = (t[(c ^ (buf[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return c >>> 0;
}

export function crc32(buf: Uint8Array): number {
  return (update(IEEE, 0xffffffff, buf) ^ 0xffffffff) >>> 0;
}

export function crc32c(buf: Uint8Array): number {
  return (update(CASTAGNOLI, 0xffffffff, buf) ^ 0xffffffff) >>> 0;
}

/**
 * The CRC-32C register carried on over `buf[start, end)`, without the standard initial and final
 * inversion: e2fsprogs' `ext2fs_crc32c_le(crc, buf, len)`, which ext4 checksums are built from.
 */
export function crc32cUpdate(crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  // Eight bytes a step (ext4 checksums every inode it touches: ~4 MB for a 15k-file tree).
  const t = CASTAGNOLI8;
  let c = crc;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = (c ^ ((buf[i] ?? 0) | ((buf[i + 1] ?? 0) << 8) | ((buf[i + 2] ?? 0) << 16) | ((buf[i + 3] ?? 0) << 24))) >>> 0;
    c =
      (t[7 * 256 + (lo & 0xff)] ?? 0) ^ (t[6 * 256 + ((lo >>> 8) & 0xff)] ?? 0) ^ (t[5 * 256 + ((lo >>> 16) & 0xff)] ?? 0) ^ (t[4 * 256 + (lo >>> 24)] ?? 0) ^
      (t[3 * 256 + (buf[i + 4] ?? 0)] ?? 0) ^ (t[2 * 256 + (buf[i + 5] ?? 0)] ?? 0) ^ (t[256 + (buf[i + 6] ?? 0)] ?? 0) ^ (t[buf[i + 7] ?? 0] ?? 0);
  }
  return update(CASTAGNOLI, c, buf, i, end);
}
