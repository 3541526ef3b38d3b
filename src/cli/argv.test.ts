import { normaliseArgv, splitList } from './argv.js';

describe('normaliseArgv', () => {
  test('rewrites Packer single-dash long options to commander double-dash', () => {
    expect(normaliseArgv(['build', '-var', 'a=1', '-var-file=x.pkrvars.hcl', '-only=a,b', '-force', '.'])).toEqual([
      'build',
      '--var',
      'a=1',
      '--var-file=x.pkrvars.hcl',
      '--only=a,b',
      '--force',
      '.',
    ]);
  });

  test('leaves the value of a value-taking option alone even when it starts with a dash', () => {
    expect(normaliseArgv(['-var', '-force=1', '.'])).toEqual(['--var', '-force=1', '.']);
  });

  test('turns -color=false and -write=false into --no-color and --no-write', () => {
    expect(normaliseArgv(['-color=false', '-write=false', '-color=true'])).toEqual(['--no-color', '--no-write']);
  });

  test('accepts -no-cache and -cache=false for the step cache', () => {
    expect(normaliseArgv(['-no-cache', '-cache=false', '-cache-from', 'r/x', '-cache-to=r/y'])).toEqual([
      '--no-cache',
      '--no-cache',
      '--cache-from',
      'r/x',
      '--cache-to=r/y',
    ]);
  });

  test('drops -force=false (false is the default) and keeps --force=true as --force', () => {
    expect(normaliseArgv(['-force=false', '--force=true'])).toEqual(['--force']);
  });

  test('keeps an unparsable boolean value so commander reports it', () => {
    expect(normaliseArgv(['-debug=maybe'])).toEqual(['--debug=maybe']);
  });

  test('does not touch unknown options, short flags, or anything after --', () => {
    expect(normaliseArgv(['-h', '-x', '-unknown', '--', '-var'])).toEqual(['-h', '-x', '-unknown', '--', '-var']);
  });
});

test('splitList splits comma-separated globs from repeated flags and drops empties', () => {
  expect(splitList(['a.*,b', ' c ', ''])).toEqual(['a.*', 'b', 'c']);
});
