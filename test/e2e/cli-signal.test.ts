// SIGINT in the middle of a build, and -on-error=abort followed by `imgbuild cleanup`,
// through the real process. Two templates: the shipped null builder with shell-local
// provisioners and post-processors (what a user runs), and the marker test builder, whose
// steps create journaled directories, so the order of cleanups and what the journal holds
// can be observed from outside.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, runCli, startCli, waitForOutput, type CliResult } from '../helpers/cli.js';

const REGISTER_MARKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'register-marker-builder.js');
const WITH_MARKER = ['--import', REGISTER_MARKER];

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-signal-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface JsonEvent {
  type: string;
  step?: string;
  ok?: boolean;
  cancelled?: boolean;
  line?: string;
}

function events(stdout: string): JsonEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as JsonEvent);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function diesWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

/** Entries recorded and never struck, over every journal file in `dir`. */
function openJournalEntries(dir: string): { kind: string; handle: Record<string, string> }[] {
  if (!existsSync(dir)) return [];
  const open = new Map<string, { kind: string; handle: Record<string, string> }>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)) {
      const rec = JSON.parse(line) as { type: string; id?: string; entry?: { id: string; kind: string; handle: Record<string, string> } };
      if (rec.type === 'record' && rec.entry) open.set(rec.entry.id, rec.entry);
      if (rec.type === 'strike' && rec.id !== undefined) open.delete(rec.id);
    }
  }
  return [...open.values()];
}

async function interruptWhenReady(args: string[], nodeArgs: string[] = []): Promise<CliResult> {
  const child = startCli(args, { nodeArgs, env: { IMGBUILD_STATE_DIR: path.join(tmp, 'state') } });
  const done = collect(child, { timeoutMs: 60000 });
  await waitForOutput(child, /READY/);
  child.kill('SIGINT');
  return done;
}

test('SIGINT during a shell-local provisioner kills its process, skips the rest and exits 130', async () => {
  const pidFile = path.join(tmp, 'sleep.pid');
  writeFileSync(
    path.join(tmp, 'sig.pkr.hcl'),
    `source "null" "sig" {
  communicator = "none"
}

build {
  sources = ["source.null.sig"]

  provisioner "shell-local" {
    inline = ["echo first > ${tmp}/first"]
  }

  provisioner "shell-local" {
    inline = ["echo $$ > ${pidFile}", "echo READY", "exec sleep 30"]
  }

  provisioner "shell-local" {
    inline = ["touch ${tmp}/never-provisioned"]
  }

  post-processor "shell-local" {
    inline = ["touch ${tmp}/never-post-processed"]
  }
}
`,
  );
  const started = Date.now();
  const r = await interruptWhenReady(['build', '--json', path.join(tmp, 'sig.pkr.hcl')]);
  expect(Date.now() - started).toBeLessThan(25000);
  expect(r.code).toBe(130);
  expect(r.stderr).toContain('SIGINT');
  expect(existsSync(path.join(tmp, 'first'))).toBe(true);
  expect(existsSync(path.join(tmp, 'never-provisioned'))).toBe(false);
  expect(existsSync(path.join(tmp, 'never-post-processed'))).toBe(false);
  // The process group got SIGTERM before imgbuild exited; give the kernel a moment to finish it.
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  expect(await diesWithin(pid, 3000)).toBe(true);
  const end = events(r.stdout).find((e) => e.type === 'build-end');
  expect(end).toMatchObject({ ok: false, cancelled: true });
});

test('SIGINT runs every step cleanup in reverse order and leaves nothing in the journal', async () => {
  const markers = path.join(tmp, 'markers');
  writeFileSync(
    path.join(tmp, 'marker.pkr.hcl'),
    `source "marker" "m" {
  dir   = "${markers}"
  steps = ["one", "two", "three"]
}

build {
  sources = ["source.marker.m"]

  provisioner "shell-local" {
    inline = ["echo READY", "exec sleep 30"]
  }
}
`,
  );
  const r = await interruptWhenReady(['build', '--json', path.join(tmp, 'marker.pkr.hcl')], WITH_MARKER);
  expect(r.code).toBe(130);
  // The cleanups themselves, in the order they ran...
  expect(readFileSync(path.join(markers, 'cleanup-order.log'), 'utf8')).toBe('three\ntwo\none\n');
  // ...and as the renderer saw them: the reverse of the order the steps started.
  const evs = events(r.stdout);
  const started = evs.filter((e) => e.type === 'step-start').map((e) => e.step);
  const cleaned = evs.filter((e) => e.type === 'cleanup').map((e) => e.step);
  expect(cleaned).toEqual(['marker three', 'marker two', 'marker one']);
  expect(started.filter((s) => s !== undefined && cleaned.includes(s)).reverse()).toEqual(cleaned);
  expect(evs.filter((e) => e.type === 'cleanup').every((e) => e.ok === true)).toBe(true);
  for (const m of ['one', 'two', 'three']) expect(existsSync(path.join(markers, m))).toBe(false);
  expect(openJournalEntries(path.join(tmp, 'state', 'journal'))).toEqual([]);
});

test('a second SIGINT during cleanup is acknowledged and the cleanups still finish', async () => {
  const markers = path.join(tmp, 'markers');
  writeFileSync(
    path.join(tmp, 'slow.pkr.hcl'),
    `source "marker" "m" {
  dir              = "${markers}"
  steps            = ["one", "two"]
  cleanup_delay_ms = 700
}

build {
  sources = ["source.marker.m"]

  provisioner "shell-local" {
    inline = ["echo READY", "exec sleep 30"]
  }
}
`,
  );
  const child = startCli(['build', path.join(tmp, 'slow.pkr.hcl')], {
    nodeArgs: WITH_MARKER,
    env: { IMGBUILD_STATE_DIR: path.join(tmp, 'state') },
  });
  const done = collect(child, { timeoutMs: 60000 });
  await waitForOutput(child, /READY/);
  child.kill('SIGINT');
  await waitForOutput(child, /cancelling the builds/);
  child.kill('SIGINT');
  const r = await done;
  expect(r.code).toBe(130);
  expect(r.stderr).toContain('Received SIGINT again: cleanup is in progress');
  expect(readFileSync(path.join(markers, 'cleanup-order.log'), 'utf8')).toBe('two\none\n');
  expect(openJournalEntries(path.join(tmp, 'state', 'journal'))).toEqual([]);
});

test('-on-error=abort leaves journaled resources; imgbuild cleanup lists then removes them', async () => {
  const markers = path.join(tmp, 'markers');
  const journal = path.join(tmp, 'state', 'journal');
  writeFileSync(
    path.join(tmp, 'abort.pkr.hcl'),
    `source "marker" "m" {
  dir   = "${markers}"
  steps = ["one", "two"]
}

build {
  sources = ["source.marker.m"]

  provisioner "shell-local" {
    inline = ["echo failing on purpose", "exit 7"]
  }
}
`,
  );
  const env = { IMGBUILD_STATE_DIR: path.join(tmp, 'state') };
  const r = await runCli(['build', '-on-error=abort', path.join(tmp, 'abort.pkr.hcl')], { nodeArgs: WITH_MARKER, env });
  expect(r.code).toBe(1);
  expect(r.stdout + r.stderr).toContain('imgbuild cleanup');
  expect(existsSync(path.join(markers, 'one'))).toBe(true);
  expect(existsSync(path.join(markers, 'two'))).toBe(true);
  expect(existsSync(path.join(markers, 'cleanup-order.log'))).toBe(false);
  const left = openJournalEntries(journal);
  expect(left.map((e) => e.handle['path']).sort()).toEqual([path.join(markers, 'one'), path.join(markers, 'two')]);

  const list = await runCli(['cleanup', '-list'], { env });
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(/^run \S+ \(pid \d+, gone\):$/m);
  expect(list.stdout).toContain(`path marker directory ${path.join(markers, 'one')}`);

  const dry = await runCli(['cleanup', '--dry-run'], { env });
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain(`would remove path marker directory ${path.join(markers, 'two')}`);
  expect(dry.stdout.indexOf(`${markers}/two`)).toBeLessThan(dry.stdout.indexOf(`${markers}/one`));
  expect(existsSync(path.join(markers, 'one'))).toBe(true);

  const clean = await runCli(['cleanup'], { env });
  expect(clean.stderr).toBe('');
  expect(clean.code).toBe(0);
  expect(clean.stdout).toContain(`removed path marker directory ${path.join(markers, 'one')}`);
  expect(existsSync(path.join(markers, 'one'))).toBe(false);
  expect(existsSync(path.join(markers, 'two'))).toBe(false);
  expect(openJournalEntries(journal)).toEqual([]);

  const again = await runCli(['cleanup'], { env });
  expect(again.stdout).toContain('Nothing to clean up');
});

test('the default -on-error=cleanup removes the resources of a failed build', async () => {
  const markers = path.join(tmp, 'markers');
  writeFileSync(
    path.join(tmp, 'fail.pkr.hcl'),
    `source "marker" "m" {
  dir   = "${markers}"
  steps = ["one", "two"]
}

build {
  sources = ["source.marker.m"]

  provisioner "shell-local" {
    inline = ["exit 3"]
  }
}
`,
  );
  const env = { IMGBUILD_STATE_DIR: path.join(tmp, 'state') };
  const r = await runCli(['build', path.join(tmp, 'fail.pkr.hcl')], { nodeArgs: WITH_MARKER, env });
  expect(r.code).toBe(1);
  expect(readFileSync(path.join(markers, 'cleanup-order.log'), 'utf8')).toBe('two\none\n');
  expect(openJournalEntries(path.join(tmp, 'state', 'journal'))).toEqual([]);
});
