// State the shared SSH steps leave for the builder's other steps.
import { StateKey } from '../../core/state.js';
import type { SshKeyPair } from './keys.js';

/** The temporary key pair, when the config gives no password, key file or agent; its public half must reach the machine (cd_content, user data, a cloud key pair). */
export const SSH_TEMP_KEY = new StateKey<SshKeyPair>('ssh.temp-key');
/** The private key the communicator uses (temporary or read from ssh_private_key_file). */
export const SSH_PRIVATE_KEY = new StateKey<string>('ssh.private-key');
