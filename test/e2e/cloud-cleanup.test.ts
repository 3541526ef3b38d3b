// The resource journal following cloud resources, through the real CLI: a build of the
// minicloud test builder against the minicloud fake, SIGKILLed after a create request has
// reached the cloud (which applied it) but before the answer with the id came back; then
// `imgbuild cleanup`, a fresh process with the same credentials and settings, finds the
// resource by its client token or by its name and `imgbuild:run-id` tag, removes it before
// what it uses, and the fake's own inventory is empty.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { journalFiles, readJournalRun } from '../../src/core/journal.js';
import type { JournalEntry } from '../../src/core/journal-types.js';
import { collect, runCli, startCli, type CliResult } from '../helpers/cli.js';
import { Minicloud, type Action } from '../helpers/minicloud/server.js';

const REGISTER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'register-minicloud.js');
const TOKEN = 'mc-test-token';

let tmp: string;
let cloud: Minicloud;

beforeEach(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-cloud-'));
  // A terminating machine keeps its firewall in use for a moment, as on EC2.
  cloud = await Minicloud.start({ token: TOKEN, regions: ['r1', 'r2'], terminateMs: 200 });
  writeFileSync(
    path.join(tmp, 'build.pkr.hcl'),
    `source "minicloud" "web" {
  endpoint = "${cloud.endpoint}"
  region   = "r2"
  name     = "web"
}

build {
  sources = ["source.minicloud.web"]
}
`,
  );
});

afterEach(async () => {
  await cloud.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const journalDir = (): string => path.join(tmp, 'state', 'journal');

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { cwd: tmp, nodeArgs: ['--import', REGISTER], env: { IMGBUILD_STATE_DIR: path.join(tmp, 'state'), MINICLOUD_TOKEN: TOKEN, ...env } });
}

/** Starts a build, SIGKILLs it as soon as the fake has applied `action` and held back its answer. */
async function killDuring(action: Action): Promise<CliResult> {
  cloud.faults.hold.add(action);
  const held = cloud.nextHeld();
  const child = startCli(['build', 'build.pkr.hcl'], { cwd: tmp, nodeArgs: ['--import', REGISTER], env: { IMGBUILD_STATE_DIR: path.join(tmp, 'state'), MINICLOUD_TOKEN: TOKEN } });
  const done = collect(child, { timeoutMs: 60_000 });
  // A build that ends before reaching the create call fails the test with its output.
  const first = await Promise.race([held, done]);
  if (typeof first !== 'string') throw new Error(`the build exited (${first.code ?? first.signal ?? '?'}) before ${action}:\n${first.stdout}\n${first.stderr}`);
  expect(first).toBe(action);
  child.kill('SIGKILL');
  const r = await done;
  cloud.faults.hold.clear();
  return r;
}

/** Entries never struck, with completed handles, over every run file (as cleanup reads them). */
async function openEntries(): Promise<JournalEntry[]> {
  const runs = await Promise.all((await journalFiles(journalDir())).map((f) => readJournalRun(f)));
  return runs.flatMap((r) => r?.open ?? []);
}

const live = (): { machines: string[]; firewalls: string[] } => {
  const r2 = cloud.inventory()['r2'];
  return { machines: (r2?.machines ?? []).map((m) => m.id), firewalls: (r2?.firewalls ?? []).map((f) => f.id) };
};

test('a build killed between the machine create call and its answer: cleanup finds the machine by client token, then removes its firewall', async () => {
  const build = await killDuring('create-machine');
  expect(build.signal).toBe('SIGKILL');
  const [machine] = cloud.inventory()['r2']?.machines ?? [];
  const [firewall] = cloud.inventory()['r2']?.firewalls ?? [];
  expect(machine?.firewallId).toBe(firewall?.id);

  // What the killed process left: the firewall with its id, the machine with only its token.
  const entries = await openEntries();
  const fwEntry = entries.find((e) => e.kind === 'minicloud-firewall');
  const mEntry = entries.find((e) => e.kind === 'minicloud-machine');
  expect(fwEntry?.handle).toEqual({ endpoint: cloud.endpoint, region: 'r2', name: expect.stringMatching(/^web-fw-/) as unknown, id: firewall?.id });
  expect(mEntry?.handle).toEqual({ endpoint: cloud.endpoint, region: 'r2', name: 'web', clientToken: machine?.clientToken });
  expect(mEntry?.handle['id']).toBeUndefined();
  expect(mEntry?.dependsOn).toEqual([fwEntry?.id]);
  expect(machine?.tags).toEqual({ 'imgbuild:run-id': mEntry?.runId });

  const clean = await cli(['cleanup']);
  expect(clean.stderr).toBe('');
  expect(clean.code).toBe(0);
  const lines = clean.stdout.trim().split('\n');
  expect(lines).toEqual([
    `removed minicloud-machine machine web: ${machine?.id} (found by client token ${machine?.clientToken}) (build minicloud.web, run ${mEntry?.runId})`,
    `removed minicloud-firewall temporary firewall ${firewall?.name}: ${firewall?.id} (build minicloud.web, run ${mEntry?.runId})`,
  ]);
  expect(live()).toEqual({ machines: [], firewalls: [] });
  expect(readdirSync(journalDir())).toEqual([]);
  // The firewall delete came after the machine had terminated: never refused as in use.
  expect(cloud.statuses.get(409) ?? 0).toBe(0);
}, 120_000);

test('a build killed during the firewall create: cleanup finds the firewall by its name and run-id tag', async () => {
  await killDuring('create-firewall');
  const [firewall] = cloud.inventory()['r2']?.firewalls ?? [];
  expect(firewall).toBeDefined();
  const [entry] = await openEntries();
  expect(entry?.handle['id']).toBeUndefined();

  const dry = await cli(['cleanup', '--dry-run']);
  expect(dry.stdout).toContain(`would remove minicloud-firewall temporary firewall ${firewall?.name}`);
  expect(live().firewalls).toEqual([firewall?.id]);

  const clean = await cli(['cleanup']);
  expect(clean.code).toBe(0);
  expect(clean.stdout).toContain(`removed minicloud-firewall temporary firewall ${firewall?.name}: ${firewall?.id} (found by name ${firewall?.name} and tag imgbuild:run-id=${entry?.runId})`);
  expect(live()).toEqual({ machines: [], firewalls: [] });
}, 120_000);

test('cleanup says what it could not remove and why, keeps what that still uses, and finishes the job on a later run', async () => {
  await killDuring('create-machine');
  cloud.faults.deny.add('delete-machine');
  const refused = await cli(['cleanup']);
  expect(refused.code).toBe(1);
  expect(refused.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(/^Error: could not remove minicloud-machine machine web: DELETE \/machines\/m-\w+ \(r2\): forbidden: the token may not delete-machine; grant minicloud:delete-machine to the credentials imgbuild uses$/),
    expect.stringMatching(/^Error: could not remove minicloud-firewall temporary firewall web-fw-\w+: kept: minicloud-machine machine web still uses it and could not be removed$/),
  ]);
  expect(live().machines).toHaveLength(1);
  expect(live().firewalls).toHaveLength(1);
  expect(await openEntries()).toHaveLength(2);

  cloud.faults.deny.clear();
  const again = await cli(['cleanup']);
  expect(again.code).toBe(0);
  expect(live()).toEqual({ machines: [], firewalls: [] });
  expect(readdirSync(journalDir())).toEqual([]);
}, 120_000);

test('cleanup with the wrong credentials removes nothing and says which credentials to fix', async () => {
  await killDuring('create-machine');
  const r = await cli(['cleanup'], { MINICLOUD_TOKEN: 'wrong' });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('unauthorized: the bearer token is missing or wrong; set MINICLOUD_TOKEN to a valid token');
  expect(live().machines).toHaveLength(1);
  expect((await cli(['cleanup'])).code).toBe(0);
  expect(live()).toEqual({ machines: [], firewalls: [] });
}, 120_000);

test('a build that finishes removes its machine and firewall itself, through throttling and 5xx answers, and leaves no journal', async () => {
  cloud.faults.throttle.set('create-machine', 1);
  cloud.faults.unavailable.set('create-firewall', 1);
  cloud.faults.unavailable.set('delete-machine', 2);
  const r = await cli(['build', 'build.pkr.hcl']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Terminated machine m-\w+/);
  expect(r.stdout).toMatch(/Deleted temporary firewall fw-\w+/);
  // Each faulty call was retried once per fault, and nothing else.
  expect(cloud.calls.get('create-machine')).toBe(2);
  expect(cloud.calls.get('create-firewall')).toBe(2);
  expect(cloud.calls.get('delete-machine')).toBe(3);
  expect(cloud.statuses.get(429)).toBe(1);
  expect(cloud.statuses.get(503)).toBe(3);
  expect(live()).toEqual({ machines: [], firewalls: [] });
  expect(existsSync(journalDir()) ? readdirSync(journalDir()) : []).toEqual([]);
}, 120_000);
