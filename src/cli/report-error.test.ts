import { PassThrough } from 'node:stream';
import { BuildError, CancelledError, DiagnosticsError, EnvironmentError, ExitCode, ImgbuildError } from '../core/errors.js';
import { UsageError } from './argv.js';
import { SourcedDiagnosticsError } from './diagnostics.js';
import type { CliIo } from './io.js';
import { ExitError, handleError } from './report-error.js';

function fakeIo(env: NodeJS.ProcessEnv = {}): { io: CliIo; stderr: () => string } {
  const err = new PassThrough();
  let text = '';
  err.on('data', (d: Buffer) => (text += d.toString()));
  const io: CliIo = { stdout: new PassThrough(), stderr: err, stdin: new PassThrough(), env, cwd: '/' };
  return { io, stderr: () => text };
}

// `nope` on line 2 of the source below: the line starts at byte 20.
const NOPE = {
  filename: 't.pkr.hcl',
  start: { line: 2, column: 3, byte: 22 },
  end: { line: 2, column: 7, byte: 26 },
};

test.each([
  ['a usage error', new UsageError('bad flag'), ExitCode.USAGE, /^Error: bad flag\n/],
  ['a build failure', new BuildError('script exited 3'), ExitCode.FAILURE, /^Error: script exited 3\n$/],
  ['a missing host tool', new EnvironmentError('runc not found'), ExitCode.FAILURE, /^Error: runc not found\n$/],
  ['a cancelled build', new CancelledError(), ExitCode.INTERRUPTED, /^Cancelled: build cancelled\n$/],
  ['an exit request', new ExitError(3), 3, /^$/],
] as const)('%s maps to its exit code without a stack trace', async (_what, err, code, message) => {
  const { io, stderr } = fakeIo();
  expect(await handleError(err, io, undefined)).toBe(code);
  expect(stderr()).toMatch(message);
  expect(stderr()).not.toMatch(/^ {4}at /m);
});

test('template diagnostics are rendered with a code frame and exit 1', async () => {
  const { io, stderr } = fakeIo();
  const err = new SourcedDiagnosticsError(
    [{ severity: 'error', summary: 'Unsupported argument', detail: 'An argument named "nope" is not expected here.', subject: NOPE }],
    new Map([['t.pkr.hcl', 'source "null" "x" {\n  nope = 1\n}\n']]),
  );
  expect(await handleError(err, io, undefined)).toBe(ExitCode.FAILURE);
  expect(stderr()).toContain('Error: Unsupported argument');
  expect(stderr()).toContain('t.pkr.hcl line 2');
  expect(stderr()).toContain('  nope = 1');
  expect(stderr()).not.toMatch(/\x1b\[/);
});

test('a plain DiagnosticsError is rendered too', async () => {
  const { io, stderr } = fakeIo();
  const err = new DiagnosticsError([{ severity: 'error', summary: 'Bad thing', detail: 'It is bad.' }]);
  expect(await handleError(err, io, undefined)).toBe(ExitCode.FAILURE);
  expect(stderr()).toContain('Error: Bad thing');
});

test('an internal ImgbuildError or any other exception is a bug: stack shown, exit 70', async () => {
  for (const err of [new ImgbuildError('E_STATE', 'state not set', { source: 'internal' }), new TypeError('x is undefined')]) {
    const { io, stderr } = fakeIo();
    expect(await handleError(err, io, undefined)).toBe(ExitCode.INTERNAL);
    expect(stderr()).toMatch(/^imgbuild: internal error: /);
    expect(stderr()).toMatch(/^ {4}at /m);
  }
});
