// Moves files between this machine and the build through the communicator, with Packer's
// directory rules: a source directory "dir/" copies its contents, "dir" copies the directory
// itself, and a destination ending in "/" receives files under their own names.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { BuildError, CancelledError, errorMessage } from '../../src/core/errors.js';
import type { ProvisionContext } from '../../src/core/plugin.js';
import type { FileConfig } from './config.js';

export async function runFile(ctx: ProvisionContext, config: FileConfig): Promise<void> {
  if (config.direction === 'download') return download(ctx, config);
  if (config.content !== null) {
    ctx.ui.say(`Uploading content to ${config.destination}`);
    await ctx.comm.upload(config.destination, Buffer.from(config.content), { signal: ctx.signal });
    return;
  }
  for (const src of config.sources) {
    if (ctx.signal.aborted) throw new CancelledError();
    ctx.ui.say(`Uploading ${src} => ${config.destination}`);
    let st;
    try {
      st = await stat(src);
    } catch (e) {
      throw new BuildError(`file: source ${src}: ${errorMessage(e)}${config.generated ? '' : '; set generated = true if an earlier step creates it'}`, { cause: e });
    }
    if (st.isDirectory()) {
      await ctx.comm.uploadDir(config.destination, src, { signal: ctx.signal });
      continue;
    }
    const dst = config.destination.endsWith('/') ? posix.join(config.destination, basename(src)) : config.destination;
    await ctx.comm.upload(dst, createReadStream(src), { mode: st.mode & 0o7777, signal: ctx.signal });
  }
}

async function download(ctx: ProvisionContext, config: FileConfig): Promise<void> {
  for (const src of config.sources) {
    if (ctx.signal.aborted) throw new CancelledError();
    ctx.ui.say(`Downloading ${src} => ${config.destination}`);
    if (src.endsWith('/')) {
      if (!ctx.comm.downloadDir) throw new BuildError(`file: the ${ctx.comm.type} communicator cannot download directories`);
      await ctx.comm.downloadDir(src, config.destination, { signal: ctx.signal });
      continue;
    }
    let dst = config.destination;
    if (dst.endsWith('/') || (await isDir(dst))) dst = join(dst, posix.basename(src));
    await mkdir(dirname(dst), { recursive: true });
    await ctx.comm.download(src, createWriteStream(dst), { signal: ctx.signal });
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isDirectory();
  } catch {
    return false;
  }
}
