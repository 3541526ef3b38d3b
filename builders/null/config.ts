// Packer's null builder config: nothing but a communicator. imgbuild's null builder has no
// machine to connect to, so SSH/WinRM settings are accepted (templates written for Packer
// keep validating) and reported with a warning.
import { z } from 'zod';

const sshKeys = [
  'ssh_host',
  'ssh_port',
  'ssh_username',
  'ssh_password',
  'ssh_private_key_file',
  'ssh_agent_auth',
  'ssh_timeout',
  'ssh_handshake_attempts',
  'ssh_bastion_host',
  'ssh_bastion_username',
  'ssh_bastion_private_key_file',
  'winrm_host',
  'winrm_port',
  'winrm_username',
  'winrm_password',
  'winrm_timeout',
  'winrm_use_ssl',
  'winrm_insecure',
] as const;

const connectionShape = Object.fromEntries(
  sshKeys.map((k) => [k, z.union([z.string(), z.number(), z.boolean()]).optional()]),
) as Record<(typeof sshKeys)[number], z.ZodOptional<z.ZodUnion<[z.ZodString, z.ZodNumber, z.ZodBoolean]>>>;

export const nullConfigSchema = z.object({
  communicator: z.enum(['none', 'ssh', 'winrm']).default('none'),
  ...connectionShape,
});

export type NullConfig = z.output<typeof nullConfigSchema>;

export const connectionKeys: readonly string[] = sshKeys;
