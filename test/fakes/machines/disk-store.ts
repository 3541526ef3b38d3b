// The disks of a local cloud, one file each, named by the id the cloud gives them (an EBS
// snapshot, a DigitalOcean image, an instance's root volume). A disk made from another is
// a qcow2 overlay on it, so launching an instance or capturing one costs a few kilobytes,
// not a copy of the image; a disk other disks are layered on is only deleted once nothing
// rests on it any more (a snapshot deleted while an instance still runs from it).
import { execFile } from 'node:child_process';
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export type DiskFormat = 'qcow2' | 'raw';

interface DiskEntry {
  file: string;
  format: DiskFormat;
  /** The disk this one is an overlay on (its id), if any. */
  base: string | null;
  /** Deleted by its owner, kept while other disks rest on it. */
  removed: boolean;
}

export class DiskStore {
  private readonly disks = new Map<string, DiskEntry>();

  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  has(id: string): boolean {
    const d = this.disks.get(id);
    return d !== undefined && !d.removed;
  }

  file(id: string): string {
    return this.entry(id).file;
  }

  format(id: string): DiskFormat {
    return this.entry(id).format;
  }

  /** A disk that reads through to a file outside the store (a cached seed image), never written. */
  async adopt(id: string, source: string, sourceFormat: DiskFormat): Promise<void> {
    const file = this.pathFor(id, 'qcow2');
    await qemuImg(['create', '-q', '-f', 'qcow2', '-b', path.resolve(source), '-F', sourceFormat, file]);
    this.disks.set(id, { file, format: 'qcow2', base: null, removed: false });
  }

  /** A new disk layered on `baseId`, grown to `sizeBytes` when that is larger than the base. */
  async overlay(id: string, baseId: string, sizeBytes?: number): Promise<void> {
    const base = this.entry(baseId);
    const file = this.pathFor(id, 'qcow2');
    const args = ['create', '-q', '-f', 'qcow2', '-b', base.file, '-F', base.format, file];
    if (sizeBytes !== undefined && sizeBytes > (await this.virtualSize(baseId))) args.push(String(sizeBytes));
    await qemuImg(args);
    this.disks.set(id, { file, format: 'qcow2', base: baseId, removed: false });
  }

  /**
   * A copy of `fromId` as it is now. A disk that is never written again (a completed
   * snapshot) is copied as an overlay on it (kilobytes); one that is (an instance's root
   * disk) has its file copied, sparse, resting on the same base. The caller makes sure the
   * source is not written during the copy (the instance's VM is off).
   */
  async capture(id: string, fromId: string, sourceImmutable = false): Promise<void> {
    if (sourceImmutable) return this.overlay(id, fromId);
    const from = this.entry(fromId);
    const file = this.pathFor(id, from.format);
    await execFileP('cp', ['--sparse=always', '--reflink=auto', from.file, file]);
    this.disks.set(id, { file, format: from.format, base: from.base, removed: false });
  }

  /** A standalone sparse raw disk converted from a disk file of any format qemu-img reads. */
  async convertIn(id: string, source: string, sourceFormat: string): Promise<void> {
    const file = this.pathFor(id, 'raw');
    await qemuImg(['convert', '-q', '-f', sourceFormat, '-O', 'raw', '-S', '4k', source, file]);
    this.disks.set(id, { file, format: 'raw', base: null, removed: false });
  }

  /** An empty sparse raw disk, written block by block (the EBS direct API). */
  async createRaw(id: string, sizeBytes: number): Promise<void> {
    const file = this.pathFor(id, 'raw');
    await writeFile(file, '');
    const fh = await open(file, 'r+');
    try {
      await fh.truncate(sizeBytes);
    } finally {
      await fh.close();
    }
    this.disks.set(id, { file, format: 'raw', base: null, removed: false });
  }

  async writeAt(id: string, offset: number, data: Buffer): Promise<void> {
    const d = this.entry(id);
    if (d.format !== 'raw') throw new Error(`disk ${id} is ${d.format}, not writable by blocks`);
    const fh = await open(d.file, 'r+');
    try {
      await fh.write(data, 0, data.length, offset);
    } finally {
      await fh.close();
    }
  }

  async virtualSize(id: string): Promise<number> {
    const d = this.entry(id);
    if (d.format === 'raw') return (await stat(d.file)).size;
    const info = JSON.parse(await qemuImg(['info', '--output=json', '-U', d.file])) as { 'virtual-size': number };
    return info['virtual-size'];
  }

  /** Bytes the disk really holds on the host (its own file, not its bases). */
  async allocatedBytes(id: string): Promise<number> {
    return (await stat(this.entry(id).file)).blocks * 512;
  }

  /** Marks the disk deleted; its file goes once no disk rests on it. */
  async remove(id: string): Promise<void> {
    const d = this.disks.get(id);
    if (!d || d.removed) return;
    d.removed = true;
    await this.sweep();
  }

  ids(): string[] {
    return [...this.disks.entries()].filter(([, d]) => !d.removed).map(([id]) => id);
  }

  private async sweep(): Promise<void> {
    for (;;) {
      const needed = new Set([...this.disks.values()].map((d) => d.base).filter((b): b is string => b !== null));
      const gone = [...this.disks.entries()].find(([id, d]) => d.removed && !needed.has(id));
      if (!gone) return;
      this.disks.delete(gone[0]);
      await rm(gone[1].file, { force: true });
    }
  }

  private entry(id: string): DiskEntry {
    const d = this.disks.get(id);
    if (!d || d.removed) throw new Error(`no disk ${id} in ${this.dir}`);
    return d;
  }

  private pathFor(id: string, format: DiskFormat): string {
    return path.join(this.dir, `${id}.${format}`);
  }
}

async function qemuImg(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileP('qemu-img', args, { maxBuffer: 4 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const stderr = (e as { stderr?: unknown }).stderr;
    throw new Error(`qemu-img ${args[0] ?? ''}: ${typeof stderr === 'string' && stderr.trim() ? stderr.trim() : String(e)}`, { cause: e });
  }
}
