import { isUnknown } from '../core/model/value.js';
import { PACKER_COMPAT_VERSION } from './scope.js';
import { errors, loadFiles, mustPlan, summaries } from './test-helpers.js';

describe('locals', () => {
  test('are evaluated after the locals they use, whatever the file order', async () => {
    const r = await loadFiles({
      'a.pkr.hcl': 'locals {\n  full = "${local.prefix}-${local.name}"\n}\n',
      'b.pkr.hcl': 'variable "env" { default = "prod" }\nlocal "name" {\n  expression = upper(local.prefix)\n}\nlocals { prefix = var.env }\n',
    });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.template?.locals.get('full')?.value).toBe('prod-PROD');
  });

  test('a cycle is one diagnostic naming the whole loop', async () => {
    const r = await loadFiles({ 'a.pkr.hcl': 'locals {\n  a = local.b\n  b = "${local.c}x"\n  c = local.a\n  d = local.a\n  ok = 1\n}\n' });
    expect(summaries(r.diagnostics)).toEqual(['Cycle in local values']);
    expect(r.diagnostics[0]?.detail).toContain('local.a → local.b → local.c → local.a');
    expect(r.diagnostics[0]?.subject?.start.line).toBe(2);
  });

  test('a reference to an unknown local or variable has the exact range and a did-you-mean', async () => {
    const r = await loadFiles({ 'a.pkr.hcl': 'variable "region" { default = "eu" }\nlocals {\n  name = "x"\n  y = "${local.nmae}-${var.regoin}"\n}\n' });
    expect(summaries(r.diagnostics)).toEqual(['Reference to undeclared local value', 'Reference to undeclared input variable']);
    expect(r.diagnostics[0]?.detail).toContain('Did you mean "name"?');
    expect(r.diagnostics[1]?.detail).toContain('Did you mean "region"?');
    const s = r.diagnostics[0]?.subject;
    expect([s?.start.line, s?.start.column, s?.end.column]).toEqual([4, 10, 20]);
  });

  test('an undeclared variable in an untaken conditional branch is harmless, as in HCL', async () => {
    const r = await loadFiles({ 'a.pkr.hcl': 'variable "a" { default = null }\nlocals {\n  x = var.a == null ? "d" : var.typo\n}\n' });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.template?.locals.get('x')?.value).toBe('d');
  });

  test('duplicate locals are errors', async () => {
    const r = await loadFiles({ 'a.pkr.hcl': 'locals { a = 1 }\n', 'b.pkr.hcl': 'local "a" {\n  expression = 2\n}\n' });
    expect(summaries(r.diagnostics)).toEqual(['Duplicate local definition']);
  });

  test('path.root, path.cwd, packer.version and functions are in scope; data.* is unknown', async () => {
    const r = await loadFiles(
      {
        'a.pkr.hcl': `
data "amazon-ami" "base" { region = "eu" }
locals {
  root    = path.root
  cwd     = path.cwd
  version = packer.version
  joined  = join("-", ["a", "b"])
  ami     = data.amazon-ami.base.id
  guarded = try(data.amazon-ami.base.id, "fallback")
}
`,
      },
      { cwd: '/tmp' },
    );
    expect(errors(r.diagnostics)).toEqual([]);
    const v = (n: string): unknown => r.template?.locals.get(n)?.value;
    expect(v('root')).toBe(r.dir);
    expect(v('cwd')).toBe('/tmp');
    expect(v('version')).toBe(PACKER_COMPAT_VERSION);
    expect(v('joined')).toBe('a-b');
    expect(isUnknown(v('ami'))).toBe(true);
  });

  test('a local that fails to evaluate is an error, and locals using it stay quiet', async () => {
    const r = await loadFiles({ 'a.pkr.hcl': 'locals {\n  a = 1 + "x"\n  b = local.a * 2\n}\n' });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(1);
  });

  test('locals are usable in sources and builds', async () => {
    const { plan } = await mustPlan({
      'a.pkr.hcl': 'locals {\n  image = "debian:12"\n  srcs = ["source.docker.a"]\n}\nsource "docker" "a" { image = local.image }\nbuild { sources = local.srcs }\n',
    });
    expect(plan.builds[0]?.source.evaluate(null).raw.values).toEqual({ image: 'debian:12' });
  });
});
