// The shell provisioner's Packer behaviour, through a recording communicator.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { BuildError } from '../../src/core/errors.js';
import { MemorySink, makeUi } from '../../src/core/events.js';
import type { Communicator, ExecOptions, ExecResult, ProvisionContext } from '../../src/core/plugin.js';
import { lineOf, rawConfig } from '../../src/core/testing.js';
import type { ValueObject } from '../../src/core/model/value.js';
import { shellProvisioner } from './index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'imgbuild-shell-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const prepCtx = { templateDir: dir, sourceFullName: 'container.app', buildName: '' };

class RecordingComm implements Communicator {
  readonly type = 'fake';
  readonly uploads = new Map<string, { content: string; mode: number | undefined }>();
  readonly commands: string[] = [];
  constructor(private readonly exitCode = 0) {}
  exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.commands.push(cmd);
    opts.onStdout?.(`ran ${this.commands.length}\n`);
    return Promise.resolve({ exitCode: cmd.startsWith('rm ') ? 0 : this.exitCode });
  }
  upload(dst: string, src: Readable | Buffer, opts: { mode?: number } = {}): Promise<void> {
    this.uploads.set(dst, { content: Buffer.isBuffer(src) ? src.toString() : '', mode: opts.mode });
    return Promise.resolve();
  }
  async uploadDir(): Promise<void> {}
  async download(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Drops the connection on the first script run, like a guest rebooting under SSH. */
class DisconnectingComm extends RecordingComm {
  override exec(cmd: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (!cmd.startsWith('rm ') && this.commands.length === 0) {
      this.commands.push(cmd);
      return Promise.reject(new BuildError('ssh: connection dropped', { code: 'E_COMM_DISCONNECTED' }));
    }
    return super.exec(cmd, opts);
  }
}

function ctx(comm: Communicator, sink = new MemorySink()): ProvisionContext {
  return {
    signal: new AbortController().signal,
    ui: makeUi('container.app', sink),
    comm,
    generated: {},
    build: { buildName: '', sourceFullName: 'container.app', sourceType: 'container', sourceName: 'app', runId: 'r', templateDir: dir },
  };
}

async function run(values: ValueObject, comm: RecordingComm): Promise<void> {
  const p = shellProvisioner.prepare(rawConfig(values), prepCtx);
  expect(p.errors).toEqual([]);
  if (!p.config) throw new Error('no config');
  await shellProvisioner.provision(ctx(comm), p.config);
}

describe('shell provisioner', () => {
  it('uploads inline lines as one script with the shebang, runs execute_command with sorted vars, then removes it', async () => {
    const comm = new RecordingComm();
    await run({ inline: ['echo a', 'echo b'], environment_vars: ['Z=last', "Q=it's"], env: { A: 'first' } }, comm);
    const [remote = '', up] = [...comm.uploads][0] ?? [];
    expect(remote).toMatch(/^\/tmp\/script_[0-9a-f]{12}\.sh$/);
    expect(up).toEqual({ content: '#!/bin/sh -e\necho a\necho b\n', mode: 0o755 });
    expect(comm.commands).toEqual([
      `chmod +x ${remote}; A='first' PACKER_BUILDER_TYPE='container' PACKER_BUILD_NAME='app' Q='it'"'"'s' Z='last'  ${remote}`,
      `rm -f '${remote}'`,
    ]);
  });

  it('honours remote_path, execute_command, skip_clean and valid_exit_codes', async () => {
    const comm = new RecordingComm(3);
    await run({ inline: ['exit 3'], remote_path: '/root/x.sh', execute_command: 'sudo {{.Path}}', skip_clean: true, valid_exit_codes: [0, 3] }, comm);
    expect(comm.commands).toEqual(['sudo /root/x.sh']);
  });

  it('fails with the script and exit status when the exit code is not allowed', async () => {
    const comm = new RecordingComm(2);
    await expect(run({ inline: ['false'] }, comm)).rejects.toThrow('shell: script inline script exited with status 2; allowed exit codes are [0] (see its output above)');
  });

  it('runs script files in order and writes an env var file with use_env_var_file', async () => {
    writeFileSync(path.join(dir, 'one.sh'), '#!/bin/sh\necho one\n');
    writeFileSync(path.join(dir, 'two.sh'), '#!/bin/sh\necho two\n');
    const comm = new RecordingComm();
    await run({ scripts: ['one.sh', 'two.sh'], use_env_var_file: true, env: { K: 'v' } }, comm);
    const files = [...comm.uploads.entries()];
    expect(files.map(([, u]) => u.content)).toEqual([
      '#!/bin/sh\necho one\n',
      "export K='v'\nexport PACKER_BUILDER_TYPE='container'\nexport PACKER_BUILD_NAME='app'\n",
      '#!/bin/sh\necho two\n',
      "export K='v'\nexport PACKER_BUILDER_TYPE='container'\nexport PACKER_BUILD_NAME='app'\n",
    ]);
    expect(comm.commands[0]).toMatch(/^chmod \+x \/tmp\/script_\w+\.sh; \. \/tmp\/varfile_\w+\.sh && \/tmp\/script_\w+\.sh$/);
  });

  it('takes inline as one string as a one-line script (Packer corpus templates write it so)', async () => {
    const comm = new RecordingComm();
    await run({ inline: 'touch /tmp/x' }, comm);
    expect(shellProvisioner.prepare(rawConfig({ inline: 'touch /tmp/x' }), prepCtx).warnings.map((w) => w.summary)).toEqual(['Value should be a list']);
    expect([...comm.uploads.values()][0]).toEqual({ content: '#!/bin/sh -e\ntouch /tmp/x\n', mode: 0o755 });
  });

  it('reports every config problem at once at its key', () => {
    const raw = rawConfig({ inline: ['x'], script: 'a.sh', environment_vars: ['NOEQUALS'], remote_path: '/a', remote_folder: '/b' });
    const p = shellProvisioner.prepare(raw, prepCtx);
    expect(p.errors.map((e) => [e.summary, e.subject?.start.line])).toEqual([
      ['Conflicting arguments', lineOf(raw, 'script')],
      ['Invalid value', lineOf(raw, 'environment_vars.0')],
      ['Conflicting arguments', lineOf(raw, 'remote_path')],
    ]);
  });

  it('keys the cache on script contents', async () => {
    writeFileSync(path.join(dir, 'c.sh'), 'echo 1\n');
    const p = shellProvisioner.prepare(rawConfig({ script: 'c.sh' }), prepCtx);
    const before = await shellProvisioner.cacheInputs?.(p.config as never, dir);
    writeFileSync(path.join(dir, 'c.sh'), 'echo 2\n');
    const after = await shellProvisioner.cacheInputs?.(p.config as never, dir);
    expect(before).not.toEqual(after);
  });

  it('with expect_disconnect, a connection dropped by the script (a reboot) is success and the next script runs', async () => {
    writeFileSync(path.join(dir, 'reboot.sh'), 'reboot\n');
    writeFileSync(path.join(dir, 'after.sh'), 'echo back\n');
    const comm = new DisconnectingComm();
    await run({ scripts: [path.join(dir, 'reboot.sh'), path.join(dir, 'after.sh')], expect_disconnect: true }, comm);
    // The reboot script, then after.sh run and removed; the dropped script is not removed.
    expect(comm.commands).toHaveLength(3);
    expect(comm.commands[1]).toContain('chmod +x');
    expect(comm.commands[2]).toMatch(/^rm -f /);
  });

  it('retries the upload while the connection is lost to a reboot the previous provisioner started (start_retry_timeout)', async () => {
    class RebootingComm extends RecordingComm {
      failures = 2;
      override upload(dst: string, src: Readable | Buffer, opts?: { mode?: number }): Promise<void> {
        if (this.failures-- > 0) return Promise.reject(new BuildError('ssh: connection dropped while running "upload"', { code: 'E_COMM_DISCONNECTED' }));
        return super.upload(dst, src, opts);
      }
    }
    const comm = new RebootingComm();
    const sink = new MemorySink();
    const p = shellProvisioner.prepare(rawConfig({ inline: ['echo back'] }), prepCtx);
    if (!p.config) throw new Error('no config');
    await shellProvisioner.provision(ctx(comm, sink), p.config);
    expect(comm.uploads.size).toBe(1);
    expect(comm.commands[0]).toContain('chmod +x');
    expect(JSON.stringify(sink.events)).toMatch(/Retrying upload: ssh: connection dropped/);
  });

  it('without expect_disconnect, a dropped connection fails the provisioner', async () => {
    const comm = new DisconnectingComm();
    await expect(run({ inline: ['reboot'] }, comm)).rejects.toThrow('connection dropped');
  });
});
