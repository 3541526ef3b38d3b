// The credentials the communicator will use: a temporary ed25519 pair generated in memory
// when the config gives no password, key file or agent (its public half reaches the guest
// through {{ .SSHPublicKey }} in cd_content, http_content or boot_command), else the
// ssh_private_key_file read now, so a wrong path fails before a VM is started.
import { readFile } from 'node:fs/promises';
import { generateEd25519KeyPair } from '../../../src/communicators/ssh/keys.js';
import { BuildError, errorMessage } from '../../../src/core/errors.js';
import type { Step, StepContext } from '../../../src/core/plugin.js';
import { GENERATED_DATA } from '../../../src/core/build-state.js';
import type { QemuConfig } from '../config.js';
import { QEMU_SSH_PRIVATE_KEY, QEMU_TEMP_KEY } from '../state.js';

export class StepSshKey implements Step {
  readonly name = 'ssh-key';

  constructor(private readonly config: QemuConfig) {}

  async run(ctx: StepContext): Promise<void> {
    if (this.config.communicator !== 'ssh') return;
    const ssh = this.config.ssh;
    if (ssh.privateKeyFile !== null) {
      try {
        ctx.state.set(QEMU_SSH_PRIVATE_KEY, await readFile(ssh.privateKeyFile, 'utf8'));
      } catch (e) {
        throw new BuildError(`ssh_private_key_file ${ssh.privateKeyFile}: ${errorMessage(e)}; check the path (relative paths start at the template folder)`, { cause: e });
      }
      return;
    }
    if (!ssh.temporaryKey) return;
    const pair = generateEd25519KeyPair(`imgbuild-${ctx.build.runId.slice(0, 8)}`);
    ctx.ui.say(`Created a temporary SSH key pair (${pair.fingerprint}); put {{ .SSHPublicKey }} in the guest's authorized keys`);
    ctx.state.set(QEMU_TEMP_KEY, pair);
    ctx.state.set(QEMU_SSH_PRIVATE_KEY, pair.privateKey);
    ctx.state.set(GENERATED_DATA, { ...(ctx.state.get(GENERATED_DATA) ?? {}), SSHPublicKey: pair.publicKey, SSHPrivateKey: pair.privateKey });
  }

  cleanup(ctx: StepContext): Promise<void> {
    // The key only ever lived in memory; dropping the references is all there is to do.
    ctx.state.delete(QEMU_TEMP_KEY);
    ctx.state.delete(QEMU_SSH_PRIVATE_KEY);
    return Promise.resolve();
  }
}
