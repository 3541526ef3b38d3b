import { homedir } from 'node:os';
import { join } from 'node:path';

/** Shared cache of all builds: `$IMGBUILD_CACHE_DIR`, else `~/.cache/imgbuild`. */
export function defaultCacheDir(): string {
  const env = process.env['IMGBUILD_CACHE_DIR'];
  return env !== undefined && env !== '' ? env : join(homedir(), '.cache', 'imgbuild');
}
