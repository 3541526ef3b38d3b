// Communicator "none" (Packer's `communicator = "none"`): the build has no machine to talk
// to, so every operation fails with a message saying why and what works instead.
import { BuildError } from './errors.js';
import type { Communicator, ExecResult } from './plugin.js';

export class NoneCommunicator implements Communicator {
  readonly type = 'none';

  exec(cmd: string): Promise<ExecResult> {
    return Promise.reject(unavailable(`run "${cmd.split('\n')[0] ?? ''}"`));
  }

  upload(dst: string): Promise<void> {
    return Promise.reject(unavailable(`upload to ${dst}`));
  }

  uploadDir(dst: string): Promise<void> {
    return Promise.reject(unavailable(`upload a directory to ${dst}`));
  }

  download(src: string): Promise<void> {
    return Promise.reject(unavailable(`download ${src}`));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function unavailable(what: string): BuildError {
  return new BuildError(
    `cannot ${what}: this build uses communicator "none", so there is no machine to connect to; ` +
      'use shell-local to run commands on this host, or a builder with a communicator',
    { code: 'E_NO_COMMUNICATOR' },
  );
}
