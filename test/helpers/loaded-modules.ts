// Which modules a CLI command loads: a module-resolution hook, registered with `node --import`,
// appends every resolved URL to a file. Used to pin lazy loading (validate loads no plugin
// runtime) and by bench/validate-inspect.ts for its module counts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, type CliOptions, type CliResult } from './cli.js';

const HOOK = `import {appendFileSync} from 'node:fs';
export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.IMGBUILD_TRACE_FILE, r.url + '\\n'); return r; }`;
const REGISTER = `import {register} from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

/** `node --import` arguments that install the tracing hook (it writes to IMGBUILD_TRACE_FILE). */
export const TRACE_NODE_ARGS: readonly string[] = ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`];

export interface TracedRun extends CliResult {
  /** Every module URL resolved, once each, in first-load order (node: built-ins included). */
  urls: string[];
}

export async function runCliTraced(args: readonly string[], opts: CliOptions = {}): Promise<TracedRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'imgbuild-trace-'));
  const trace = path.join(dir, 'modules.txt');
  try {
    const r = await runCli(args, {
      ...opts,
      env: { ...opts.env, IMGBUILD_TRACE_FILE: trace },
      nodeArgs: [...(opts.nodeArgs ?? []), ...TRACE_NODE_ARGS],
    });
    let lines: string[] = [];
    try {
      lines = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    } catch {
      // Nothing resolved past the hook: the file was never written.
    }
    return { ...r, urls: [...new Set(lines)] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The loaded modules that are files (ours and node_modules), not node: built-ins or the hook. */
export function fileModules(urls: readonly string[]): string[] {
  return urls.filter((u) => u.startsWith('file:'));
}
