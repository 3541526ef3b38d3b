// scripts/fake-cloud.sh aws [--port N] [--state-dir DIR] [--no-seeds]: runs the local EC2 on
// 127.0.0.1 until SIGTERM/SIGINT, printing the export lines once it is ready.
import { startFakeEc2 } from './index.js';

async function main(argv: string[]): Promise<void> {
  let port = 0;
  let stateDir: string | undefined;
  let seeds: 'standard' | 'none' = 'standard';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') port = Number(argv[++i]);
    else if (a === '--state-dir') stateDir = argv[++i];
    else if (a === '--no-seeds') seeds = 'none';
    else {
      process.stderr.write(`fake-cloud aws: unknown argument ${a ?? ''}\nusage: fake-cloud.sh aws [--port N] [--state-dir DIR] [--no-seeds]\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('fake-cloud aws: --port wants a number 0-65535\n');
    process.exit(2);
  }
  const ec2 = await startFakeEc2({ port, seeds, ...(stateDir !== undefined ? { stateDir } : {}), log: (l) => process.stderr.write(`fake-cloud aws: ${l}\n`) });
  for (const [k, v] of Object.entries(ec2.env)) process.stdout.write(`export ${k}=${v}\n`);
  process.stderr.write(`fake-cloud aws: ready at ${ec2.url}; inventory: curl ${ec2.url}/_fake/inventory; stop with SIGTERM or Ctrl-C\n`);
  const stop = (sig: string): void => {
    process.stderr.write(`fake-cloud aws: ${sig}: stopping every VM\n`);
    void ec2.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`fake-cloud aws: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
