// Where a directory upload lands. Packer's two communicators for Linux targets agree here:
// the docker builder runs `docker cp SRC[.] ID:DST` (packer-plugin-docker communicator.go),
// the SSH communicator runs `scp -rt DST` by default (packer-plugin-sdk communicator/ssh).
// Both put the directory itself under DST when DST is an existing directory, create DST
// holding the source's contents when DST does not exist, copy only the contents when the
// source ends in "/", and refuse a DST that exists as a file. A trailing slash on DST
// changes nothing for a directory source (stat of "DST/" answers as for "DST").
import path from 'node:path';
import { BuildError } from '../core/errors.js';

/** What the destination path is on the target before the upload. */
export type RemoteKind = 'directory' | 'missing' | 'other';

/**
 * The target directory whose contents become the source directory's contents.
 * `src` keeps the trailing slash the template gave it.
 */
export function dirUploadTarget(src: string, dst: string, kind: RemoteKind): string {
  const bare = dst.length > 1 && dst.endsWith('/') ? dst.replace(/\/+$/, '') || '/' : dst;
  if (kind === 'other') {
    throw new BuildError(`upload directory ${src} to ${dst}: the destination exists and is not a directory; choose a directory path (docker cp and scp refuse to copy a directory onto a file)`);
  }
  if (src.endsWith('/') || kind === 'missing') return bare;
  return path.posix.join(bare, path.basename(src));
}

/** The local directory to walk: the source without its trailing slash. */
export function localDirOf(src: string): string {
  return src.endsWith('/') ? src.replace(/\/+$/, '') || '/' : src;
}
