import * as path from 'node:path';
import { describeTemplate } from './inspect.js';
import { errors, loadFiles, mustPlan, summaries } from './test-helpers.js';

const PRECEDENCE = {
  'vars.pkr.hcl': `
variable "only_default" { default = "default" }
variable "env_wins" { default = "default" }
variable "auto_wins" { default = "default" }
variable "file_wins" { default = "default" }
variable "cli_wins" { default = "default" }
source "null" "x" { communicator = "none" }
build { sources = ["null.x"] }
`,
  'a.auto.pkrvars.hcl': 'auto_wins = "auto-a"\nfile_wins = "auto-a"\ncli_wins = "auto-a"\n',
  'b.auto.pkrvars.hcl': 'auto_wins = "auto-b"\nfile_wins = "auto-b"\ncli_wins = "auto-b"\n',
  'f1.pkrvars.hcl': 'file_wins = "file-1"\ncli_wins = "file-1"\n',
  'f2.pkrvars.json': '{"file_wins": "file-2", "cli_wins": "file-2"}',
};

describe('variable values', () => {
  test('precedence: default < PKR_VAR_ < *.auto.pkrvars (sorted) < -var-file (in order) < -var (in order)', async () => {
    const env = { PKR_VAR_env_wins: 'env', PKR_VAR_auto_wins: 'env', PKR_VAR_file_wins: 'env', PKR_VAR_cli_wins: 'env' };
    const probe = await loadFiles(PRECEDENCE);
    const r = await loadFiles(PRECEDENCE, {
      env,
      cwd: probe.dir,
      varFiles: ['f1.pkrvars.hcl', 'f2.pkrvars.json'],
      vars: [
        ['cli_wins', 'cli-1'],
        ['cli_wins', 'cli-2'],
      ],
    });
    expect(errors(r.diagnostics)).toEqual([]);
    const v = (n: string): unknown => r.template?.variables.get(n)?.value;
    expect(v('only_default')).toBe('default');
    expect(v('env_wins')).toBe('env');
    expect(v('auto_wins')).toBe('auto-b');
    expect(v('file_wins')).toBe('file-2');
    expect(v('cli_wins')).toBe('cli-2');
    expect(r.template?.variables.get('file_wins')?.valueSource).toBe('varfile');
    expect(r.template?.variables.get('auto_wins')?.valueSource).toBe('auto-varfile');
  });

  test('-var and PKR_VAR_ text is parsed per the type: literal for string/number, HCL otherwise', async () => {
    const r = await loadFiles(
      {
        'v.pkr.hcl': `
variable "s" { type = string }
variable "n" { type = number }
variable "b" { type = bool }
variable "l" { type = list(string) }
variable "m" { type = map(number) }
variable "untyped" {}
`,
      },
      {
        vars: [
          ['s', '["not", "a", "list"]'],
          ['n', '42'],
          ['b', 'true'],
          ['l', '["a", "b"]'],
          ['untyped', '{a = 1}'],
        ],
        env: { PKR_VAR_m: '{ a = 1, b = 2 }', PKR_VAR_undeclared: 'ignored' },
      },
    );
    expect(errors(r.diagnostics)).toEqual([]);
    const v = (n: string): unknown => r.template?.variables.get(n)?.value;
    expect(v('s')).toBe('["not", "a", "list"]');
    expect(v('n')).toBe(42);
    expect(v('b')).toBe(true);
    expect(v('l')).toEqual(['a', 'b']);
    expect(v('m')).toEqual({ a: 1, b: 2 });
    expect(v('untyped')).toBe('{a = 1}');
  });

  test('defaults are converted to the type, and nullable = false replaces null with the default', async () => {
    const r = await loadFiles(
      {
        'v.pkr.hcl': `
variable "n" {
  type = number
  default = "5"
}
variable "nn" {
  type     = string
  default  = "fallback"
  nullable = false
}
`,
        'x.auto.pkrvars.hcl': 'nn = null\n',
      },
    );
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.template?.variables.get('n')?.value).toBe(5);
    expect(r.template?.variables.get('nn')?.value).toBe('fallback');
  });

  test('a value of the wrong type is an error naming the variable and its type', async () => {
    const r = await loadFiles({ 'v.pkr.hcl': 'variable "port" { type = number }\n' }, { vars: [['port', 'twenty-two']] });
    expect(summaries(r.diagnostics)).toEqual(['Invalid value for variable']);
    expect(r.diagnostics[0]?.detail).toContain('"port"');
    expect(r.template).toBeNull();
  });

  test('an undeclared -var is an error with a did-you-mean', async () => {
    const r = await loadFiles({ 'v.pkr.hcl': 'variable "region" { default = "x" }\n' }, { vars: [['regoin', 'eu']] });
    expect(summaries(r.diagnostics)).toEqual(['Undefined -var variable']);
    expect(r.diagnostics[0]?.detail).toContain('Did you mean "region"?');
  });

  test('an undeclared name in a var file is an error pointing into that file', async () => {
    const r = await loadFiles({ 'v.pkr.hcl': 'variable "region" { default = "x" }\n', 'x.auto.pkrvars.hcl': '\nregio = "eu"\n' });
    expect(summaries(r.diagnostics)).toEqual(['Undefined variable']);
    expect(r.diagnostics[0]?.detail).toContain('Did you mean "region"?');
    expect(path.basename(r.diagnostics[0]?.subject?.filename ?? '')).toBe('x.auto.pkrvars.hcl');
    expect(r.diagnostics[0]?.subject?.start.line).toBe(2);
  });

  test('a block in a var file is an error naming the file and line', async () => {
    const vars = await loadFiles({ 'in.pkrvars.hcl': 'a = 2\nvariable "b" {\n  default = 3\n}\nlocals {\n}\n' });
    const r = await loadFiles({ 'v.pkr.hcl': 'variable "a" { default = 1 }\n' }, { varFiles: [path.join(vars.dir, 'in.pkrvars.hcl')] });
    expect(summaries(r.diagnostics)).toEqual(['Variable declaration in a .pkrvars file', 'Unexpected block in variable file']);
    expect(r.diagnostics[0]?.detail).toContain('in.pkrvars.hcl line 2');
    expect(r.diagnostics[1]?.detail).toContain('in.pkrvars.hcl line 5');
  });

  test('a variable with no default and no value is "Unset variable", saying how to set it', async () => {
    const r = await loadFiles({ 'v.pkr.hcl': 'variable "token" {\n  type = string\n}\nlocals { t = upper(var.token) }\n' });
    expect(summaries(r.diagnostics)).toEqual(['Unset variable "token"']);
    expect(r.diagnostics[0]?.detail).toContain('-var token=');
    expect(r.diagnostics[0]?.detail).toContain('PKR_VAR_token');
    expect(r.diagnostics[0]?.subject?.start.line).toBe(1);
  });

  test('a failing validation shows its error_message', async () => {
    const files = {
      'v.pkr.hcl': `
variable "image_id" {
  type = string
  validation {
    condition     = substr(var.image_id, 0, 4) == "ami-"
    error_message = "The image_id value must start with \\"ami-\\"."
  }
}
`,
    };
    const ok = await loadFiles(files, { vars: [['image_id', 'ami-123']] });
    expect(errors(ok.diagnostics)).toEqual([]);
    const bad = await loadFiles(files, { vars: [['image_id', 'img-123']] });
    expect(summaries(bad.diagnostics)).toEqual(['Invalid value for variable']);
    expect(bad.diagnostics[0]?.detail).toContain('The image_id value must start with "ami-".');
    expect(bad.diagnostics[0]?.subject?.start.line).toBe(5);
  });

  test('a validation condition must refer to its variable', async () => {
    const r = await loadFiles({
      'v.pkr.hcl': 'variable "a" {\n  default = "x"\n  validation {\n    condition = true\n    error_message = "Never."\n  }\n}\n',
    });
    expect(summaries(r.diagnostics)).toEqual(['Invalid variable validation condition']);
  });

  test('legacy variables blocks declare variables; duplicates are errors', async () => {
    const r = await loadFiles({ 'a.pkr.hcl': 'variables {\n  foo = "bar"\n  list = ["a"]\n}\n', 'b.pkr.hcl': 'variable "foo" {\n  default = "x"\n}\n' });
    expect(summaries(r.diagnostics)).toEqual(['Duplicate variable']);
    expect(r.diagnostics[0]?.subject?.filename).toContain('b.pkr.hcl');
    const ok = await loadFiles({ 'a.pkr.hcl': 'variables {\n  foo = "bar"\n  list = ["a"]\n}\n' }, { vars: [['list', '["b", "c"]']] });
    expect(ok.template?.variables.get('foo')?.value).toBe('bar');
    expect(ok.template?.variables.get('list')?.value).toEqual(['b', 'c']);
  });

  test('a default may not refer to variables or locals', async () => {
    const r = await loadFiles({ 'v.pkr.hcl': 'variable "a" { default = "x" }\nvariable "b" {\n  default = "${var.a}-y"\n}\n' });
    expect(summaries(r.diagnostics)).toEqual(['Variables not allowed']);
    expect(r.diagnostics[0]?.subject?.start.line).toBe(3);
  });

  test('env() reads LoadOptions.env in defaults only', async () => {
    const r = await loadFiles({ 'v.pkr.hcl': 'variable "r" {\n  default = env("AWS_REGION")\n}\nvariable "e" {\n  default = env("NOPE")\n}\n' }, { env: { AWS_REGION: 'eu-west-3' } });
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.template?.variables.get('r')?.value).toBe('eu-west-3');
    expect(r.template?.variables.get('e')?.value).toBe('');
  });

  test('sensitive values are collected for scrubbing (nested string leaves too) and hidden by inspect', async () => {
    const { template, plan } = await mustPlan(
      {
        'v.pkr.hcl': `
variable "password" {
  type      = string
  default   = "hunter22"
  sensitive = true
}
variable "keys" {
  type      = map(list(string))
  default   = { a = ["k-one", "k-two"] }
  sensitive = true
}
variable "public" { default = "visible" }
local "derived" {
  expression = "db:\${var.password}"
  sensitive  = true
}
source "null" "x" { communicator = "none" }
build { sources = ["null.x"] }
`,
      },
    );
    expect(plan.sensitiveValues).toEqual(expect.arrayContaining(['hunter22', 'k-one', 'k-two', 'db:hunter22', Buffer.from('hunter22').toString('base64')]));
    expect(plan.sensitiveValues).not.toContain('visible');
    const d = describeTemplate(template);
    expect(d.variables.find((v) => v.name === 'password')?.value).toBe('<sensitive>');
    expect(d.variables.find((v) => v.name === 'public')?.value).toBe('"visible"');
    expect(d.locals.find((l) => l.name === 'derived')?.value).toBe('<sensitive>');
  });

  test('an unset variable is unknown, so what uses it does not pile up more errors', async () => {
    const r = await loadFiles({ 'v.pkr.hcl': 'variable "a" {}\nlocals {\n  b = "${var.a}-x"\n}\n' });
    expect(summaries(r.diagnostics)).toEqual(['Unset variable "a"']);
    expect(r.template).toBeNull();
  });
});
