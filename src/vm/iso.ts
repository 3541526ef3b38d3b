// CD images for the guest (cd_files, cd_content; a cloud-init NoCloud seed labelled
// "cidata" is the usual use), made with xorriso in mkisofs mode with Joliet and Rock Ridge
// so long names and modes survive.
import { execFile } from 'node:child_process';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BuildError, EnvironmentError, errorMessage } from '../core/errors.js';

const execFileP = promisify(execFile);

export interface IsoSpec {
  /** Local files or directories; directories are copied with their contents. */
  files: string[];
  /** Path in the image -> content. */
  content: Record<string, string>;
  label: string;
}

/** Stages the files in `staging` (created) and writes the ISO to `out`. */
export async function makeIso(spec: IsoSpec, staging: string, out: string, signal?: AbortSignal): Promise<void> {
  await mkdir(staging, { recursive: true });
  for (const f of spec.files) {
    try {
      await cp(f, path.join(staging, path.basename(f)), { recursive: true });
    } catch (e) {
      throw new BuildError(`cd_files: cannot copy ${f}: ${errorMessage(e)}`, { cause: e });
    }
  }
  for (const [name, body] of Object.entries(spec.content)) {
    const dst = path.join(staging, path.normalize(`/${name}`));
    await mkdir(path.dirname(dst), { recursive: true });
    await writeFile(dst, body);
  }
  try {
    await execFileP('xorriso', ['-as', 'mkisofs', '-quiet', '-o', out, '-V', spec.label, '-J', '-joliet-long', '-r', staging], signal ? { signal } : {});
  } catch (e) {
    const stderr = (e as { stderr?: unknown }).stderr;
    throw new EnvironmentError(`cd image: xorriso failed: ${typeof stderr === 'string' && stderr.trim() ? stderr.trim() : errorMessage(e)}; install it with apt-get install xorriso`, { cause: e });
  }
}
