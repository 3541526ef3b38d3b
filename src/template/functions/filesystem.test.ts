import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Value, ValueObject } from '../../core/model/value.js';
import { FUNCTIONS } from './index.js';
import { call, callErrorWith, callWith, testContext, type Case } from './test-helpers.js';

/** Builds a directory tree from an object literal: strings are file contents, Buffers raw bytes. */
function tree(root: string, spec: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(spec)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

describe('filesystem functions', () => {
  let dir: string;
  const ctx = () => testContext({ baseDir: dir });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'imgbuild-fs-'));
    tree(dir, {
      'hello.txt': 'Hello World',
      'files/hello.txt': 'hi',
      'files/world.txt': 'world',
      'files/other.md': 'md',
      'files/.hidden.txt': 'h',
      'files/sub/deep.txt': 'deep',
      'files/sub/deeper/deepest.txt': 'deepest',
      'latin1.bin': Buffer.from([0x48, 0xe9]),
      'tmpl/greeting.tftpl': 'Hello, ${name}!',
    });
    symlinkSync(join(dir, 'hello.txt'), join(dir, 'files', 'link.txt'));
    symlinkSync(join(dir, 'missing'), join(dir, 'files', 'dangling.txt'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each<Case>([
    ['basename', ['foo/bar/baz.txt'], 'baz.txt'],
    ['basename', ['/'], '/'],
    ['basename', [''], '.'],
    ['basename', ['foo/'], 'foo'],
    ['basename', ['//a//'], 'a'],
    ['dirname', ['foo/bar/baz.txt'], 'foo/bar'],
    ['dirname', ['/'], '/'],
    ['dirname', [''], '.'],
    ['dirname', ['foo'], '.'],
    ['dirname', ['foo/bar/'], 'foo/bar'],
    ['dirname', ['a/b/../c/d'], 'a/c'],
    ['dirname', ['/foo'], '/'],
    ['pathexpand', ['~/.ssh/id_rsa'], `${homedir()}/.ssh/id_rsa`],
    ['pathexpand', ['~'], homedir()],
    ['pathexpand', ['/etc/resolv.conf'], '/etc/resolv.conf'],
    ['pathexpand', ['relative/~'], 'relative/~'],
  ])('%s(%j) = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it('pathexpand refuses another user\'s home', () => {
    expect(callErrorWith(ctx(), 'pathexpand', '~bob/x').message).toBe(
      'Call to function "pathexpand" failed: failed to expand ~: cannot expand user-specific home dir.',
    );
  });

  it('abspath resolves relative paths from the base dir and cleans them', () => {
    expect(callWith(ctx(), 'abspath', 'files/../hello.txt')).toBe(join(dir, 'hello.txt'));
    expect(callWith(ctx(), 'abspath', '/etc//hosts/')).toBe('/etc/hosts');
  });

  it('file reads UTF-8 text relative to the base dir, or from an absolute path', () => {
    expect(callWith(ctx(), 'file', 'hello.txt')).toBe('Hello World');
    expect(callWith(ctx(), 'file', './files/../hello.txt')).toBe('Hello World');
    expect(call('file', join(dir, 'files/world.txt'))).toBe('world');
  });

  it('file rejects invalid UTF-8 and names the file', () => {
    expect(callErrorWith(ctx(), 'file', 'latin1.bin').message).toBe(
      `Call to function "file" failed: contents of ${join(dir, 'latin1.bin')} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead.`,
    );
  });

  it('file reports a missing file and a directory', () => {
    expect(callErrorWith(ctx(), 'file', 'nope.txt').message).toBe(
      `Call to function "file" failed: no file exists at ${join(dir, 'nope.txt')}.`,
    );
    expect(callErrorWith(ctx(), 'file', 'files').message).toBe(
      `Call to function "file" failed: ${join(dir, 'files')} is not a regular file, but "drwxr-xr-x"; the file functions read regular files only.`,
    );
  });

  it.each(['file', 'filebase64', 'filemd5', 'filesha256', 'templatefile'])('%s reads only regular files: /dev/zero is refused, not read forever', (name) => {
    const args: Value[] = name === 'templatefile' ? ['/dev/zero', {}] : ['/dev/zero'];
    expect(callErrorWith(ctx(), name, ...args).message).toBe(
      `Call to function "${name}" failed: /dev/zero is not a regular file, but "Dcrw-rw-rw-"; the file functions read regular files only.`,
    );
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(callErrorWith(ctx(), 'file', 'fifo').message).toMatch(/fifo is not a regular file, but "prw/);
  });

  it('refuses a file past the size limit, naming the file, its size and the limit', () => {
    const small = testContext({ baseDir: dir, maxFileBytes: 5 });
    expect(callErrorWith(small, 'file', 'hello.txt').message).toBe(
      `Call to function "file" failed: ${join(dir, 'hello.txt')} is 11 bytes, more than the 5-byte limit of the file functions; set IMGBUILD_MAX_FILE_SIZE (e.g. 64MiB) to raise it.`,
    );
    expect(callErrorWith(small, 'filesha1', 'hello.txt').message).toMatch(/is 11 bytes, more than the 5-byte limit/);
    expect(callWith(testContext({ baseDir: dir, maxFileBytes: 11 }), 'file', 'hello.txt')).toBe('Hello World');
  });

  it('filebase64 reads raw bytes', () => {
    expect(callWith(ctx(), 'filebase64', 'latin1.bin')).toBe('SOk=');
    expect(callWith(ctx(), 'filebase64', 'hello.txt')).toBe('SGVsbG8gV29ybGQ=');
  });

  it('fileexists is true for files, false for missing paths, and an error for directories', () => {
    expect(callWith(ctx(), 'fileexists', 'hello.txt')).toBe(true);
    expect(callWith(ctx(), 'fileexists', 'files/link.txt')).toBe(true);
    expect(callWith(ctx(), 'fileexists', 'nope.txt')).toBe(false);
    expect(callWith(ctx(), 'fileexists', 'hello.txt/under-a-file')).toBe(false);
    expect(callErrorWith(ctx(), 'fileexists', 'files').message).toMatch(
      new RegExp(`^Call to function "fileexists" failed: ${join(dir, 'files')} is not a regular file, but "drwx`),
    );
  });

  it.each<[string, string, Value]>([
    ['files', '*.txt', ['.hidden.txt', 'hello.txt', 'link.txt', 'world.txt']],
    ['.', 'files/*.txt', ['files/.hidden.txt', 'files/hello.txt', 'files/link.txt', 'files/world.txt']],
    ['.', 'files/{hello,world}.txt', ['files/hello.txt', 'files/world.txt']],
    ['files', '**/*.txt', ['.hidden.txt', 'hello.txt', 'link.txt', 'sub/deep.txt', 'sub/deeper/deepest.txt', 'world.txt']],
    ['files', 'sub/**', ['sub/deep.txt', 'sub/deeper/deepest.txt']],
    ['files', '*', ['.hidden.txt', 'hello.txt', 'link.txt', 'other.md', 'world.txt']],
    ['files', '*/*.txt', ['sub/deep.txt']],
    ['files', 'h?llo.[a-z]xt', ['hello.txt']],
    ['files', './*.md', ['other.md']],
    ['files', 'nothing-*', []],
    ['no-such-dir', '*', []],
  ])('fileset(%j, %j) = %j', (path, pattern, expected) => {
    expect(callWith(ctx(), 'fileset', path, pattern)).toEqual(expected);
  });

  it('fileset accepts an absolute path and returns paths relative to it', () => {
    expect(call('fileset', join(dir, 'files', 'sub'), '*')).toEqual(['deep.txt']);
  });

  it('fileset rejects a malformed pattern', () => {
    expect(callErrorWith(ctx(), 'fileset', 'files', '[a-').message).toBe(
      `Call to function "fileset" failed: failed to glob pattern (${join(dir, 'files', '[a-')}): syntax error in pattern.`,
    );
  });

  it('templatefile reads the template and hands it to the evaluator with the vars', () => {
    const seen: { text: string; vars: ValueObject; filename: string }[] = [];
    const c = testContext({
      baseDir: dir,
      renderTemplate: (text, vars, filename) => {
        seen.push({ text, vars, filename });
        return 'rendered';
      },
    });
    expect(callWith(c, 'templatefile', 'tmpl/greeting.tftpl', { name: 'World' })).toBe('rendered');
    expect(seen).toEqual([{ text: 'Hello, ${name}!', vars: { name: 'World' }, filename: join(dir, 'tmpl/greeting.tftpl') }]);
  });

  it.each<[Value, string]>([
    [['a'], 'Invalid value for "vars" parameter: invalid vars value: must be a map.'],
    [null, 'Invalid value for "vars" parameter: invalid vars value: must be a map.'],
    [{ '1bad': 1 }, 'Invalid value for "vars" parameter: invalid template variable name "1bad": must start with a letter, followed by zero or more letters, digits, and underscores.'],
  ])('templatefile rejects vars %j', (vars, message) => {
    expect(callErrorWith(ctx(), 'templatefile', 'tmpl/greeting.tftpl', vars).message).toBe(message);
  });

  it('templatefile reports a missing template file', () => {
    expect(callErrorWith(ctx(), 'templatefile', 'nope.tftpl', {}).message).toBe(
      `Call to function "templatefile" failed: no file exists at ${join(dir, 'nope.tftpl')}.`,
    );
  });

  it('flags the functions that read the disk as impure and the path manipulators as pure', () => {
    for (const name of ['file', 'filebase64', 'fileexists', 'fileset', 'templatefile', 'filemd5', 'filesha256']) {
      expect(FUNCTIONS.get(name)?.impure).toBe(true);
    }
    for (const name of ['abspath', 'basename', 'dirname', 'pathexpand']) expect(FUNCTIONS.get(name)?.impure).toBeUndefined();
  });
});
