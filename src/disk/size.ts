// Disk sizes as templates write them. Apart from artifact.ts so a plugin's config reads them
// without loading the disk writer.

/** "4G", "4096M", "512MiB" or a number of MiB (Packer's disk_size) to bytes; null when malformed. */
export function parseSize(v: string | number): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.round(v * 1024 * 1024) : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(v);
  if (!m) return null;
  const mult: Record<string, number> = { '': 1024 ** 2, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
  return Math.round(Number(m[1]) * (mult[(m[2] ?? '').toUpperCase()] ?? 1));
}
