// The process's streams and environment, passed to every command instead of reaching for
// `process` from deep inside, so a command's output decisions (color, renderer) are made in
// one place and can be tested.
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/**
 * Color only when stderr is a terminal, and never when the user said `-color=false` or set
 * NO_COLOR (https://no-color.org: any non-empty value).
 */
export function wantsColor(io: CliIo, colorFlag: boolean | undefined): boolean {
  if (colorFlag === false) return false;
  const noColor = io.env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return io.stderr.isTTY === true;
}

/** CI systems set CI=true (and Packer also reads it); never animate there. */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Writes and resolves once the data is handed to the OS, so `process.exitCode` is not set early. */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (text === '') {
      resolve();
      return;
    }
    stream.write(text, () => resolve());
  });
}
