import * as path from 'node:path';
import { describeTemplate, evaluateInTemplate, pluginBlocks } from './inspect.js';
import { loadTemplate } from './load.js';
import { errors, mustPlan, options, summaries, writeTree } from './test-helpers.js';

describe('loadTemplate', () => {
  test('a folder is every *.pkr.hcl sorted by name, one template; other files are ignored', async () => {
    const dir = await writeTree({
      'b.pkr.hcl': 'build {\n  sources = ["null.one"]\n  provisioner "shell" { inline = [local.msg] }\n}\n',
      'a.pkr.hcl': 'source "null" "one" { communicator = "none" }\nlocals { msg = "hi" }\n',
      'notes.hcl': 'this is not HCL at all {{{',
      'legacy.json': '{"builders": []}',
    });
    const r = await loadTemplate(dir, options({ cwd: dir }));
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.template?.files.map((f) => path.basename(f.filename))).toEqual(['a.pkr.hcl', 'b.pkr.hcl']);
    expect([...r.sources.keys()].map((f) => path.basename(f))).toEqual(['a.pkr.hcl', 'b.pkr.hcl']);
    expect(r.template?.dir).toBe(dir);
  });

  test('a single file works, with path.root its folder and no auto var files', async () => {
    const dir = await writeTree({
      'one.pkr.hcl': 'variable "v" { default = "default" }\nlocals { root = path.root }\n',
      'x.auto.pkrvars.hcl': 'v = "auto"\n',
    });
    const r = await loadTemplate('one.pkr.hcl', options({ cwd: dir }));
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.template?.variables.get('v')?.value).toBe('default');
    expect(r.template?.locals.get('root')?.value).toBe(dir);
    expect(r.template?.files[0]?.filename).toBe('one.pkr.hcl');
  });

  test('a missing path, an empty folder and a wrong extension are clear diagnostics', async () => {
    const dir = await writeTree({ 'empty/.keep': '', 'vars.pkrvars.hcl': 'a = 1\n', 'old.json': '{}', 'near/app.hcl': '' });
    const run = async (p: string): Promise<string[]> => (await loadTemplate(p, options({ cwd: dir }))).diagnostics.map((d) => `${d.summary}: ${d.detail}`);
    expect(await run('nope')).toEqual([expect.stringMatching(/^Template not found: There is no file or folder at "nope"/) as unknown]);
    expect(await run('empty')).toEqual([expect.stringMatching(/^No template files found: The folder "empty" contains no \*\.pkr\.hcl/) as unknown]);
    expect(await run('near')).toEqual([expect.stringContaining('Found app.hcl') as unknown]);
    expect(await run('vars.pkrvars.hcl')).toEqual([expect.stringContaining('it is a variables file') as unknown]);
    expect(await run('old.json')).toEqual([expect.stringContaining('legacy JSON templates are not supported') as unknown]);
  });

  test('*.pkr.json templates and *.pkrvars.json files are read with HCL JSON syntax', async () => {
    const { template, plan } = await mustPlan({
      'a.pkr.json': JSON.stringify({
        variable: { greeting: { default: 'hello' }, ports: { type: 'list(number)', default: ['22'] } },
        source: { null: { n: { communicator: 'none' } } },
        build: { sources: ['null.n'], provisioner: [{ 'shell-local': { inline: ['echo ${var.greeting}'] } }, { file: { source: 'x' } }] },
      }),
      'x.auto.pkrvars.json': '{"greeting": "bonjour"}',
    });
    expect(template.variables.get('greeting')?.value).toBe('bonjour');
    expect(template.variables.get('ports')?.value).toEqual([22]);
    expect(plan.builds[0]?.provisioners.map((p) => p.type)).toEqual(['shell-local', 'file']);
    expect(plan.builds[0]?.provisioners[0]?.evaluate(null).raw.values).toEqual({ inline: ['echo bonjour'] });
  });

  test('syntax errors come back as diagnostics with the file contents for code frames', async () => {
    const dir = await writeTree({ 'a.pkr.hcl': 'source "null" "x" {\n  communicator = \n}\n' });
    const r = await loadTemplate(dir, options({ cwd: dir }));
    expect(r.template).toBeNull();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.sources.get(path.join(dir, 'a.pkr.hcl'))).toContain('communicator');
  });

  test('top-level hcp_packer_registry and data blocks are accepted', async () => {
    const { plan } = await mustPlan({
      'a.pkr.hcl': 'hcp_packer_registry {\n  bucket_name = "b"\n}\ndata "amazon-ami" "x" {}\nsource "null" "n" { communicator = "none" }\nbuild {\n  hcp_packer_registry { bucket_name = "c" }\n  sources = ["null.n"]\n}\n',
    });
    expect(plan.warnings.map((w) => w.summary)).toEqual(['Data source not evaluated']);
  });
});

describe('inspect and console', () => {
  test('describeTemplate lists variables, locals, sources and builds in file order', async () => {
    const { template } = await mustPlan({
      'a.pkr.hcl': `
variable "region" {
  type        = string
  default     = "eu"
  description = "Where"
}
variable "secret" {
  default   = "s3cret"
  sensitive = true
}
locals { tags = { a = "b" } }
source "docker" "app" { image = "x" }
build {
  name        = "main"
  description = "The app"
  sources     = ["docker.app"]
  source "docker.app" { name = "two" }
  provisioner "shell" { name = "setup" }
  provisioner "file" {}
  error-cleanup-provisioner "shell-local" {}
  post-processor "manifest" {}
  post-processors {
    post-processor "docker-tag" { name = "tag" }
    post-processor "docker-push" {}
  }
}
`,
    });
    expect(pluginBlocks(template).map((p) => `${p.kind}:${p.type}@${p.typeRange.start.line}`)).toEqual([
      'builder:docker@12',
      'provisioner:shell@18',
      'provisioner:file@19',
      'provisioner:shell-local@20',
      'post-processor:manifest@21',
      'post-processor:docker-tag@23',
      'post-processor:docker-push@24',
    ]);
    const d = describeTemplate(template);
    expect(d.variables.map((v) => [v.name, v.type, v.value, v.default, v.description])).toEqual([
      ['region', 'string', '"eu"', '"eu"', 'Where'],
      ['secret', 'any', '<sensitive>', '<sensitive>', ''],
    ]);
    expect(d.locals).toEqual([{ name: 'tags', value: '{ a = "b" }', sensitive: false }]);
    expect(d.sources.map((s) => [s.type, s.name, s.line])).toEqual([['docker', 'app', 12]]);
    expect(d.builds).toEqual([
      {
        name: 'main',
        description: 'The app',
        sources: ['docker.app', 'docker.two'],
        provisioners: [
          { type: 'shell', name: 'setup' },
          { type: 'file', name: null },
        ],
        errorCleanupProvisioner: { type: 'shell-local', name: null },
        postProcessors: [
          [{ type: 'manifest', name: null }],
          [
            { type: 'docker-tag', name: 'tag' },
            { type: 'docker-push', name: null },
          ],
        ],
      },
    ]);
  });

  test('evaluateInTemplate evaluates console input with var, local, path and functions', async () => {
    const { template } = await mustPlan({ 'a.pkr.hcl': 'variable "n" { default = 2 }\nlocals { names = ["a", "b"] }\n' });
    expect(evaluateInTemplate('var.n * 21', template)).toEqual({ value: 42, diagnostics: [] });
    expect(evaluateInTemplate('upper(join(",", local.names))', template).value).toBe('A,B');
    expect(evaluateInTemplate('path.root', template).value).toBe(template.dir);
    expect(summaries(evaluateInTemplate('var.m', template).diagnostics).length).toBeGreaterThan(0);
    expect(summaries(evaluateInTemplate('1 +', template).diagnostics).length).toBeGreaterThan(0);
  });
});
