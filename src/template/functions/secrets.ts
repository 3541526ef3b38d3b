// Packer's secret-store functions (vault, consul_key, aws_secretsmanager) need a live
// service at template-evaluation time. imgbuild does not talk to those services yet; the
// functions exist so a template that calls them gets a message saying so and what to do,
// instead of "there is no function named vault".
import { FunctionError, type FunctionDef } from './types.js';

function unsupported(name: string, service: string, params: string[]): FunctionDef {
  return {
    name,
    params: params.map((p) => ({ name: p })),
    impure: true,
    impl: () => {
      const reason = `imgbuild does not read secrets from ${service} yet. Read the secret in your pipeline and pass it as a sensitive variable instead (-var, a -var-file, or the PKR_VAR_<name> environment variable)`;
      throw new FunctionError(`Call to function "${name}" failed: ${reason}.`, null, reason);
    },
  };
}

export const secretFunctions: FunctionDef[] = [
  unsupported('vault', 'HashiCorp Vault', ['path', 'key']),
  unsupported('consul_key', 'Consul', ['key']),
  unsupported('aws_secretsmanager', 'AWS Secrets Manager', ['name', 'key']),
  unsupported('aws_secretsmanager_raw', 'AWS Secrets Manager', ['name']),
];
