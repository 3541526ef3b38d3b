// -only / -except decide what is evaluated, as in Packer: an excluded build's source,
// provisioners and post-processors are never evaluated, so what only they need (a file,
// a value) cannot fail the builds that were asked for.
import { planBuilds } from './planner.js';
import { errors, loadFiles } from './test-helpers.js';

const TEMPLATE = `
source "null" "fast" { communicator = "none" }
source "null" "slow" { communicator = file("missing-\${source.name}.txt") }

build {
  name    = "app"
  sources = ["source.null.fast", "source.null.slow"]
  provisioner "shell-local" {
    only   = ["null.slow"]
    inline = [file("only-slow-reads-this.sh")]
  }
  provisioner "shell-local" {
    inline = ["echo \${source.name}"]
  }
  post-processor "manifest" {
    name   = "stamp"
    output = file("no-such-output-name.txt")
  }
}
`;

async function plan(only: string[], except: string[] = []) {
  const r = await loadFiles({ 'a.pkr.hcl': TEMPLATE });
  expect(errors(r.diagnostics)).toEqual([]);
  if (!r.template) throw new TypeError('no template');
  return planBuilds(r.template, { only, except });
}

test('without a filter, the file() calls of every build fail', async () => {
  const p = await plan([]);
  expect(p.plan).toBeNull();
  const failing = errors(p.diagnostics).join('\n');
  expect(failing).toContain('missing-slow.txt');
  expect(failing).toContain('only-slow-reads-this.sh');
  expect(failing).toContain('no-such-output-name.txt');
});

test('an excluded build is not evaluated: -only the other one plans with no error', async () => {
  const p = await plan(['app.null.fast']);
  const all = errors(p.diagnostics).join('\n');
  // The manifest post-processor is still in the selected build: its file() still fails.
  expect(all).not.toContain('missing-slow.txt');
  expect(all).not.toContain('only-slow-reads-this.sh');
  expect(all).toContain('no-such-output-name.txt');
  const q = await plan([], ['app.null.slow', 'stamp']);
  expect(errors(q.diagnostics)).toEqual([]);
  expect(q.plan?.builds.map((b) => b.displayName)).toEqual(['app.null.fast']);
  expect(q.plan?.builds[0]?.provisioners.map((x) => x.type)).toEqual(['shell-local']);
  expect(q.plan?.builds[0]?.postProcessorChains).toEqual([]);
});

test('an -only pattern that matches nothing warns, naming the builds there are', async () => {
  const p = await plan(['app.null.fats', 'app.null.f*']);
  const warnings = p.diagnostics.filter((d) => d.severity === 'warning');
  expect(warnings.map((w) => w.summary)).toEqual(['-only "app.null.fats" matches no build']);
  expect(warnings[0]?.detail).toContain('The builds are: app.null.fast, app.null.slow.');
});
