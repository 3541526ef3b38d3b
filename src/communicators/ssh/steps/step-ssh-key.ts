// The credentials the SSH communicator will use, for every builder that connects over SSH:
// a temporary key pair generated in memory when the config gives no password, key file or
// agent (ed25519 unless the template or the cloud asks for RSA; the builder gets its public
// half to the machine: cd_content, boot_command, a cloud key pair, user data), else the
// ssh_private_key_file read now, so a wrong path fails before a machine is started.
import { readFile } from 'node:fs/promises';
import { BuildError, errorMessage } from '../../../core/errors.js';
import type { Step, StepContext } from '../../../core/plugin.js';
import { GENERATED_DATA } from '../../../core/build-state.js';
import type { SshConfig } from '../config.js';
import { generateSshKeyPair, type SshKeyType } from '../keys.js';
import { SSH_PRIVATE_KEY, SSH_TEMP_KEY } from '../state.js';

export interface StepSshKeyOptions {
  /** The key type the cloud accepts, overriding the template's (some accept only RSA). */
  requiredKeyType?: SshKeyType;
}

export class StepSshKey implements Step {
  readonly name = 'ssh-key';

  /** `ssh` null: the build does not connect over SSH (communicator "none"). */
  constructor(
    private readonly ssh: SshConfig | null,
    private readonly opts: StepSshKeyOptions = {},
  ) {}

  async run(ctx: StepContext): Promise<void> {
    const ssh = this.ssh;
    if (ssh === null) return;
    if (ssh.privateKeyFile !== null) {
      try {
        ctx.state.set(SSH_PRIVATE_KEY, await readFile(ssh.privateKeyFile, 'utf8'));
      } catch (e) {
        throw new BuildError(`ssh_private_key_file ${ssh.privateKeyFile}: ${errorMessage(e)}; check the path (relative paths start at the template folder)`, { cause: e });
      }
      return;
    }
    if (!ssh.temporaryKey) return;
    const type = this.opts.requiredKeyType ?? ssh.temporaryKeyType;
    const pair = generateSshKeyPair(type, `imgbuild-${ctx.build.runId.slice(0, 8)}`, ssh.temporaryKeyBits);
    ctx.ui.say(`Created a temporary SSH key pair (${type}, ${pair.fingerprint}); put {{ .SSHPublicKey }} in the machine's authorized keys`);
    ctx.state.set(SSH_TEMP_KEY, pair);
    ctx.state.set(SSH_PRIVATE_KEY, pair.privateKey);
    ctx.state.set(GENERATED_DATA, { ...(ctx.state.get(GENERATED_DATA) ?? {}), SSHPublicKey: pair.publicKey, SSHPrivateKey: pair.privateKey });
  }

  cleanup(ctx: StepContext): Promise<void> {
    // The key only ever lived in memory; dropping the references is all there is to do.
    ctx.state.delete(SSH_TEMP_KEY);
    ctx.state.delete(SSH_PRIVATE_KEY);
    return Promise.resolve();
  }
}
