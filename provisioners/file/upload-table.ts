// Test support: the file provisioner's upload rules as one table, run against each
// communicator (unit tests over the container communicator and a real sshd, and the e2e
// build on runc). Each row is what Packer does with the same `source` and `destination`:
// `docker cp` in the docker builder, `scp -t`/`scp -rt` over SSH, which agree on every row
// below except the one marked as imgbuild's choice. Nothing in a build imports this file.

/** The local tree every row uploads from: a directory `app` and a file `f.txt`. */
export const LOCAL_TREE: Record<string, string | null> = {
  'app/': null,
  'app/a.txt': 'a',
  'app/sub/': null,
  'app/sub/b.txt': 'b',
  'f.txt': 'f',
};

export interface UploadRow {
  id: string;
  /** What the row shows, in Packer's terms. */
  title: string;
  /** `source` relative to the template directory (a trailing slash kept). */
  source: string;
  /** What exists at `dst` before the upload. */
  before: 'directory' | 'file' | 'missing';
  /** Whether `destination` ends in "/". */
  slash: boolean;
  /** The tree under the row's directory afterwards, or the error the upload gives. */
  expected: string[] | RegExp;
}

const CONTENTS = ['dst/', 'dst/a.txt=a', 'dst/sub/', 'dst/sub/b.txt=b'];
const KEPT_CONTENTS = ['dst/', 'dst/a.txt=a', 'dst/keep=k', 'dst/sub/', 'dst/sub/b.txt=b'];
const NESTED = ['dst/', 'dst/app/', 'dst/app/a.txt=a', 'dst/app/sub/', 'dst/app/sub/b.txt=b', 'dst/keep=k'];

export const UPLOAD_ROWS: UploadRow[] = [
  { id: 'd1', title: 'dir into an existing directory: the directory itself goes inside', source: 'app', before: 'directory', slash: false, expected: NESTED },
  { id: 'd2', title: 'dir to a missing path: the path is created holding the contents', source: 'app', before: 'missing', slash: false, expected: CONTENTS },
  { id: 'd3', title: 'dir to a missing path ending in /: the same as without the slash', source: 'app', before: 'missing', slash: true, expected: CONTENTS },
  { id: 'd4', title: 'dir into an existing directory ending in /: the directory itself goes inside', source: 'app', before: 'directory', slash: true, expected: NESTED },
  { id: 'd5', title: 'dir/ into an existing directory: only the contents, merged', source: 'app/', before: 'directory', slash: false, expected: KEPT_CONTENTS },
  { id: 'd6', title: 'dir/ to a missing path: the path is created holding the contents', source: 'app/', before: 'missing', slash: false, expected: CONTENTS },
  { id: 'd7', title: 'dir/ to a missing path ending in /: the same', source: 'app/', before: 'missing', slash: true, expected: CONTENTS },
  { id: 'd8', title: 'dir/ into an existing directory ending in /: only the contents, merged', source: 'app/', before: 'directory', slash: true, expected: KEPT_CONTENTS },
  { id: 'd9', title: 'dir onto an existing file: refused', source: 'app', before: 'file', slash: false, expected: /exists and is not a directory/ },
  { id: 'd10', title: 'dir/ onto an existing file: refused', source: 'app/', before: 'file', slash: false, expected: /exists and is not a directory/ },
  { id: 'f1', title: 'file to a missing path: written there', source: 'f.txt', before: 'missing', slash: false, expected: ['dst=f'] },
  { id: 'f2', title: 'file onto an existing file: overwritten', source: 'f.txt', before: 'file', slash: false, expected: ['dst=f'] },
  { id: 'f3', title: 'file onto an existing directory without a slash: refused', source: 'f.txt', before: 'directory', slash: false, expected: /is a directory/ },
  { id: 'f4', title: 'file into an existing directory ending in /: under its own name', source: 'f.txt', before: 'directory', slash: true, expected: ['dst/', 'dst/f.txt=f', 'dst/keep=k'] },
  // Packer has no single answer here (docker cp fails: the directory must exist; scp -t
  // writes a file named after the directory). imgbuild creates the directory, as the
  // trailing slash asks.
  { id: 'f5', title: 'file to a missing directory ending in /: the directory is created (imgbuild)', source: 'f.txt', before: 'missing', slash: true, expected: ['dst/', 'dst/f.txt=f'] },
  { id: 'f6', title: 'a file source written with a trailing slash: not a directory', source: 'f.txt/', before: 'missing', slash: false, expected: /not a directory|ENOTDIR/ },
];

/** The row's `destination`, under `base` (the row's own directory on the target). */
export function destinationOf(row: UploadRow, base: string): string {
  return `${base}/dst${row.slash ? '/' : ''}`;
}

/** Shell commands that set up what exists before the row runs (for targets reached by exec). */
export function setupCommands(row: UploadRow, base: string): string[] {
  const dst = `${base}/dst`;
  if (row.before === 'directory') return [`mkdir -p ${dst}`, `printf k > ${dst}/keep`];
  if (row.before === 'file') return [`mkdir -p ${base}`, `printf old > ${dst}`];
  return [`mkdir -p ${base}`];
}

/**
 * A shell command printing the tree under `base` in the table's notation, one entry a line
 * (`path/` for a directory, `path=content` for a file), sorted bytewise.
 */
export function listingCommand(base: string): string {
  return `cd ${base} && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do q=\${p#./}; if [ -d "$p" ]; then echo "$q/"; else echo "$q=$(cat "$p")"; fi; done`;
}
