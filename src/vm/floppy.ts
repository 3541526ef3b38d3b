// Floppy images for the guest (Packer's floppy_files, floppy_dirs, floppy_content): a
// 1.44 MB FAT12 image made with mkfs.fat and filled with mtools, no mount needed. As in
// Packer: floppy_files puts each file (and each file of a listed directory) at the root,
// floppy_dirs copies directories with their structure, floppy_content writes files at
// their paths; the volume label defaults to "packer".
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BuildError, EnvironmentError, errorMessage } from '../core/errors.js';

const execFileP = promisify(execFile);

export interface FloppyImageSpec {
  files: string[];
  dirs: string[];
  content: Record<string, string>;
  label: string;
}

/** 1.44 MB, the only floppy size every firmware and guest driver knows. */
const FLOPPY_KIB = 1440;

export async function makeFloppy(spec: FloppyImageSpec, out: string, signal?: AbortSignal): Promise<void> {
  const run = async (cmd: string, args: string[], pkg: string): Promise<void> => {
    try {
      await execFileP(cmd, args, { ...(signal ? { signal } : {}), env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new EnvironmentError(`floppy image: ${cmd} not found; install it with apt-get install ${pkg}`);
      const stderr = (e as { stderr?: unknown }).stderr;
      const detail = typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim() : errorMessage(e);
      throw new BuildError(`floppy image: ${cmd} ${args.slice(-2).join(' ')}: ${detail}${/full|no free/i.test(detail) ? '; a floppy holds 1.44 MB: put larger files on a CD (cd_files)' : ''}`, { cause: e });
    }
  };
  await rm(out, { force: true });
  await run('mkfs.fat', ['-C', '-F', '12', '-n', spec.label.toUpperCase(), out, String(FLOPPY_KIB)], 'dosfstools');
  const copy = (src: string, dst: string): Promise<void> => run('mcopy', ['-s', '-o', '-Q', '-i', out, src, `::${dst}`], 'mtools');
  const mkdirs = async (dir: string): Promise<void> => {
    const parts = dir.split('/').filter((p) => p !== '');
    for (let i = 1; i <= parts.length; i++) {
      await run('mmd', ['-D', 's', '-i', out, `::/${parts.slice(0, i).join('/')}`], 'mtools');
    }
  };
  for (const f of spec.files) {
    let st;
    try {
      st = await stat(f);
    } catch (e) {
      throw new BuildError(`floppy_files: ${f}: ${errorMessage(e)}`, { cause: e });
    }
    if (!st.isDirectory()) {
      await copy(f, `/${path.basename(f)}`);
      continue;
    }
    // Packer adds a listed directory's files, recursively, at the floppy's root.
    for (const file of await filesUnder(f)) await copy(file, `/${path.basename(file)}`);
  }
  for (const d of spec.dirs) {
    if (!(await stat(d).catch(() => null))?.isDirectory()) throw new BuildError(`floppy_dirs: ${d} is not a directory`);
    await copy(d, `/${path.basename(d)}`);
  }
  const entries = Object.entries(spec.content);
  if (entries.length > 0) {
    const staging = await mkdtemp(path.join(tmpdir(), 'imgbuild-floppy-'));
    try {
      for (const [name, body] of entries) {
        const inImage = path.posix.normalize(`/${name}`);
        const local = path.join(staging, 'file');
        await writeFile(local, body);
        await mkdirs(path.posix.dirname(inImage));
        await copy(local, inImage);
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
