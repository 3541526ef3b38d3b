// Packer's SSH communicator keys (packer-plugin-sdk communicator/config.go), shared by every
// builder that connects over SSH. The schema shape is spread into a builder's schema; the
// normaliser turns the raw keys into the options the communicator takes. Pure: key files
// are read when the build connects, not here.
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { diagnosticAt, durationSchema } from '../../core/config.js';
import type { RawConfig } from '../../core/plugin.js';
import type { Diagnostic } from '../../hcl/diagnostic.js';
import { RSA_DEFAULT_BITS, type SshKeyType } from './keys.js';

export const sshConfigShape = {
  communicator: z.enum(['ssh', 'none']).optional(),
  ssh_host: z.string().optional(),
  ssh_port: z.number().int().min(1).max(65535).optional(),
  ssh_username: z.string().optional(),
  ssh_password: z.string().optional(),
  ssh_private_key_file: z.string().optional(),
  ssh_agent_auth: z.boolean().optional(),
  ssh_timeout: durationSchema().optional(),
  ssh_wait_timeout: durationSchema().optional(),
  ssh_handshake_attempts: z.number().int().min(1).optional(),
  ssh_keep_alive_interval: durationSchema().optional(),
  ssh_bastion_host: z.string().optional(),
  ssh_bastion_port: z.number().int().min(1).max(65535).optional(),
  ssh_bastion_username: z.string().optional(),
  ssh_bastion_password: z.string().optional(),
  ssh_bastion_private_key_file: z.string().optional(),
  ssh_bastion_agent_auth: z.boolean().optional(),
  ssh_temporary_key_pair_type: z.enum(['ed25519', 'rsa']).optional(),
  temporary_key_pair_type: z.enum(['ed25519', 'rsa']).optional(),
  temporary_key_pair_bits: z.number().int().min(2048).max(16384).optional(),
  ssh_pty: z.boolean().optional(),
  pause_before_connecting: durationSchema().optional(),
};

type Shape = { [K in keyof typeof sshConfigShape]: z.output<(typeof sshConfigShape)[K]> };

export interface SshBastionConfig {
  host: string;
  port: number;
  username: string;
  password: string | null;
  privateKeyFile: string | null;
  agentAuth: boolean;
}

export interface SshConfig {
  /** null: the builder knows the address (the qemu builder's forwarded port). */
  host: string | null;
  port: number | null;
  username: string;
  password: string | null;
  /** Absolute path; null with no password and no agent means a temporary key pair. */
  privateKeyFile: string | null;
  agentAuth: boolean;
  timeoutMs: number;
  handshakeAttempts: number;
  keepAliveIntervalMs: number;
  bastion: SshBastionConfig | null;
  pauseBeforeConnectingMs: number;
  /** true when the build must generate a key pair and get its public half into the guest. */
  temporaryKey: boolean;
  /** ed25519 unless the template asks for rsa (a builder whose cloud needs RSA overrides it). */
  temporaryKeyType: SshKeyType;
  temporaryKeyBits: number;
}

export const SSH_DEFAULT_TIMEOUT_MS = 5 * 60_000;
export const SSH_DEFAULT_HANDSHAKE_ATTEMPTS = 10;

/** Normalises already-validated keys; errors are pushed to `errors` with the key's range. */
export function sshConfigFrom(c: Partial<Shape>, raw: RawConfig, templateDir: string, errors: Diagnostic[]): SshConfig {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(templateDir, p));
  if (c.ssh_username === undefined || c.ssh_username === '') {
    errors.push(diagnosticAt(raw, ['ssh_username'], 'Missing required argument', 'ssh_username: an SSH username is required to connect to the machine.'));
  }
  if (c.ssh_timeout !== undefined && c.ssh_wait_timeout !== undefined) {
    errors.push(diagnosticAt(raw, ['ssh_wait_timeout'], 'Conflicting arguments', 'ssh_wait_timeout is the old name of ssh_timeout; set only ssh_timeout.'));
  }
  if (c.temporary_key_pair_type !== undefined && c.ssh_temporary_key_pair_type !== undefined) {
    errors.push(diagnosticAt(raw, ['ssh_temporary_key_pair_type'], 'Conflicting arguments', 'ssh_temporary_key_pair_type is the old name of temporary_key_pair_type; set only temporary_key_pair_type.'));
  }
  let bastion: SshBastionConfig | null = null;
  if (c.ssh_bastion_host !== undefined && c.ssh_bastion_host !== '') {
    if (c.ssh_bastion_password === undefined && c.ssh_bastion_private_key_file === undefined && c.ssh_bastion_agent_auth !== true) {
      errors.push(
        diagnosticAt(raw, ['ssh_bastion_host'], 'Missing bastion credentials', 'ssh_bastion_host: set ssh_bastion_password, ssh_bastion_private_key_file or ssh_bastion_agent_auth = true.'),
      );
    }
    bastion = {
      host: c.ssh_bastion_host,
      port: c.ssh_bastion_port ?? 22,
      username: c.ssh_bastion_username ?? c.ssh_username ?? 'root',
      password: c.ssh_bastion_password ?? null,
      privateKeyFile: c.ssh_bastion_private_key_file === undefined ? null : abs(c.ssh_bastion_private_key_file),
      agentAuth: c.ssh_bastion_agent_auth ?? false,
    };
  }
  const password = c.ssh_password ?? null;
  const privateKeyFile = c.ssh_private_key_file === undefined ? null : abs(c.ssh_private_key_file);
  const agentAuth = c.ssh_agent_auth ?? false;
  return {
    host: c.ssh_host ?? null,
    port: c.ssh_port ?? null,
    username: c.ssh_username ?? '',
    password,
    privateKeyFile,
    agentAuth,
    timeoutMs: c.ssh_timeout ?? c.ssh_wait_timeout ?? SSH_DEFAULT_TIMEOUT_MS,
    handshakeAttempts: c.ssh_handshake_attempts ?? SSH_DEFAULT_HANDSHAKE_ATTEMPTS,
    keepAliveIntervalMs: c.ssh_keep_alive_interval ?? 5_000,
    bastion,
    pauseBeforeConnectingMs: c.pause_before_connecting ?? 0,
    temporaryKey: password === null && privateKeyFile === null && !agentAuth,
    temporaryKeyType: c.temporary_key_pair_type ?? c.ssh_temporary_key_pair_type ?? 'ed25519',
    temporaryKeyBits: c.temporary_key_pair_bits ?? RSA_DEFAULT_BITS,
  };
}
