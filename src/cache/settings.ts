// Where the step cache lives and how a build uses it. The CLI's --no-cache, --cache-from and
// --cache-to reach the builder as IMGBUILD_NO_CACHE, IMGBUILD_CACHE_FROM and
// IMGBUILD_CACHE_TO, so CI runners can also set them once in their environment.
import { join } from 'node:path';
import { defaultCacheDir } from '../oci/cache-dir.js';

export interface CacheSettings {
  /** The shared cache dir (`$IMGBUILD_CACHE_DIR`): blob store, layer store, step entries. */
  cacheDir: string;
  /** --no-cache: nothing is looked up; results are still stored for the next build. */
  disabled: boolean;
  /** Registry repositories to look entries up in, in order (--cache-from). */
  from: string[];
  /** Registry repository every new entry is pushed to (--cache-to). */
  to: string | null;
}

export const ENV_NO_CACHE = 'IMGBUILD_NO_CACHE';
export const ENV_CACHE_FROM = 'IMGBUILD_CACHE_FROM';
export const ENV_CACHE_TO = 'IMGBUILD_CACHE_TO';

export function cacheSettings(env: NodeJS.ProcessEnv = process.env): CacheSettings {
  const no = env[ENV_NO_CACHE];
  return {
    cacheDir: defaultCacheDir(),
    disabled: no !== undefined && no !== '' && no !== '0' && no.toLowerCase() !== 'false',
    // Several repositories may be given comma-separated (a team cache, then a branch cache).
    from: (env[ENV_CACHE_FROM] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    to: env[ENV_CACHE_TO]?.trim() || null,
  };
}

/** Step entries: one small JSON file per key. */
export function stepsDir(cacheDir: string): string {
  return join(cacheDir, 'steps');
}
