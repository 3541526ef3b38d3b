// Extended attributes. Node has no xattr API, so the tree is dumped with one `getfattr -R`
// (attr package) and the few writes (capabilities, overlay opaque/whiteout marks) go
// through `setfattr`.
import { spawn } from 'node:child_process';
import { EnvironmentError } from '../core/errors.js';

/** Absolute path → sorted [name, value] list, for every node in `root` that has xattrs. */
export async function readTreeXattrs(root: string): Promise<Map<string, Array<[string, Buffer]>>> {
  const out = await run('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', root], true);
  const map = new Map<string, Array<[string, Buffer]>>();
  let current: Array<[string, Buffer]> | null = null;
  for (const line of out.toString('latin1').split('\n')) {
    if (line.startsWith('# file: ')) {
      current = [];
      map.set(Buffer.from(unescapeName(line.slice(8)), 'latin1').toString('utf8'), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) continue;
    const name = line.slice(0, eq);
    const raw = line.slice(eq + 1);
    const value = raw.startsWith('0x') ? Buffer.from(raw.slice(2), 'hex') : Buffer.from(raw.replace(/^"|"$/g, ''), 'latin1');
    current.push([name, value]);
  }
  for (const list of map.values()) list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return map;
}

export async function setXattr(path: string, name: string, value: Buffer): Promise<void> {
  await run('setfattr', ['-h', '-n', name, '-v', `0x${value.toString('hex')}`, '--', path], false);
}

/** getfattr escapes unusual bytes as `\ooo` and backslash as `\\`. */
function unescapeName(s: string): string {
  return s.replace(/\\(\\|[0-7]{3})/g, (_m, g: string) => (g === '\\' ? '\\' : String.fromCharCode(parseInt(g, 8))));
}

function run(cmd: string, args: string[], tolerateExit1: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new EnvironmentError(
          e.code === 'ENOENT' ? `${cmd} not found: extended attributes need the "attr" package (apt-get install attr)` : `${cmd}: ${e.message}`,
          { cause: e },
        ),
      ),
    );
    p.on('close', (code) => {
      // getfattr exits 1 when some file had none readable (e.g. vanished); the dump is still good.
      if (code === 0 || (tolerateExit1 && code === 1)) resolve(Buffer.concat(out));
      else reject(new EnvironmentError(`${cmd} ${args.at(-1) ?? ''}: ${Buffer.concat(err).toString().trim() || `exit code ${String(code)}`}`));
    });
  });
}
