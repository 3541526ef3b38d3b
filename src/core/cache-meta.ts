// `cache` and `cache_key` on a provisioner block are the step cache's, not the plugin's: the
// core takes them out of the body before the plugin's prepare (which rejects unknown keys)
// and hands them to the builder's hooks on the ProvisionerRun.
import { diagnosticAt } from './config.js';
import type { RawConfig } from './plugin.js';
import type { Diagnostic } from '../hcl/diagnostic.js';

export interface CacheMeta {
  /** `cache = false`: always run, never store. Absent: cached. */
  cacheEnabled?: boolean;
  /** `cache_key`: mixed into the key, to invalidate a step on purpose. */
  cacheSalt?: string;
}

export function splitCacheMeta(raw: RawConfig): { raw: RawConfig; meta: CacheMeta; errors: Diagnostic[] } {
  const { cache, cache_key: salt, ...values } = raw.values;
  if (cache === undefined && salt === undefined) return { raw, meta: {}, errors: [] };
  const meta: CacheMeta = {};
  const errors: Diagnostic[] = [];
  if (cache !== undefined) {
    // HCL converts "true"/"false" strings where a bool is expected; so do we.
    if (typeof cache === 'boolean') meta.cacheEnabled = cache;
    else if (cache === 'true' || cache === 'false') meta.cacheEnabled = cache === 'true';
    else errors.push(diagnosticAt(raw, ['cache'], 'Invalid value', 'cache: a bool is required (false: always run this provisioner).'));
  }
  if (salt !== undefined) {
    if (typeof salt === 'string' || typeof salt === 'number') meta.cacheSalt = String(salt);
    else errors.push(diagnosticAt(raw, ['cache_key'], 'Invalid value', 'cache_key: a string is required (change it to re-run this provisioner).'));
  }
  return { raw: { ...raw, values }, meta, errors };
}
