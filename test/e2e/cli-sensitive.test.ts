// A sensitive variable's value, echoed by shell-local and put in a manifest's custom_data,
// must appear in no output mode (plain, -machine-readable, --json), in no log file and in
// no manifest; the builds must still really use it (the scrubbed marker shows where).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';

const SECRET = 'hunter2-S3CRET-9f8e7d';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-sensitive-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function template(dir: string): string {
  const file = path.join(dir, 'secret.pkr.hcl');
  writeFileSync(
    file,
    `variable "token" {
  type      = string
  sensitive = true
}

source "null" "s" {
  communicator = "none"
}

build {
  sources = ["source.null.s"]

  provisioner "shell-local" {
    environment_vars = ["TOKEN=\${var.token}"]
    inline = [
      "echo inline=\${var.token}",
      "echo env=$TOKEN",
      "echo stderr=$TOKEN >&2",
      "echo \${var.token} > ${dir}/used-token",
    ]
  }

  post-processor "manifest" {
    output      = "${dir}/manifest.json"
    custom_data = {
      token = var.token
      plain = "visible"
    }
  }
}
`,
  );
  return file;
}

/** Every file under dir except the one the template deliberately wrote the secret to. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'used-token')
    .map((e) => path.join(e.parentPath, e.name));
}

describe.each([
  ['plain', []],
  ['machine-readable', ['-machine-readable']],
  ['json', ['--json']],
])('%s output', (mode, flags) => {
  test('never shows the sensitive value, in output, logs or the manifest', async () => {
    const dir = mkdtempSync(path.join(tmp, `${mode}-`));
    const log = path.join(dir, 'imgbuild.log');
    const r = await runCli(['build', ...flags, '-var', `token=${SECRET}`, template(dir)], {
      env: {
        IMGBUILD_LOG: '1',
        IMGBUILD_LOG_PATH: log,
        PACKER_LOG: '1',
        PACKER_LOG_PATH: log,
        IMGBUILD_STATE_DIR: path.join(dir, 'state'),
      },
    });
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.code).toBe(0);

    // The value was really used: the script wrote it, and its output lines are there, scrubbed.
    expect(readFileSync(path.join(dir, 'used-token'), 'utf8').trim()).toBe(SECRET);
    expect(r.stdout).toContain('inline=<sensitive>');
    expect(r.stdout).toContain('env=<sensitive>');
    expect(r.stdout + r.stderr).toContain('stderr=<sensitive>');

    const manifest = readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    expect(manifest).toContain('"plain": "visible"');
    expect(manifest).not.toContain(SECRET);

    for (const f of filesUnder(dir)) {
      expect({ file: f, leaks: readFileSync(f, 'utf8').includes(SECRET) }).toEqual({ file: f, leaks: false });
    }
    if (existsSync(log)) expect(readFileSync(log, 'utf8')).not.toContain(SECRET);
  });
});

test('a sensitive default value is scrubbed too, and inspect masks it', async () => {
  const dir = mkdtempSync(path.join(tmp, 'default-'));
  const file = template(dir);
  writeFileSync(file, readFileSync(file, 'utf8').replace('sensitive = true', `sensitive = true\n  default   = "${SECRET}"`));
  const inspect = await runCli(['inspect', file]);
  expect(inspect.code).toBe(0);
  expect(inspect.stdout).toContain('var.token: <sensitive>');
  expect(inspect.stdout).not.toContain(SECRET);
  const build = await runCli(['build', file], { env: { IMGBUILD_STATE_DIR: path.join(dir, 'state') } });
  expect(build.code).toBe(0);
  expect(build.stdout + build.stderr).not.toContain(SECRET);
});
