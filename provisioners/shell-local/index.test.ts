import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySink, makeUi } from '../../src/core/events.js';
import type { ProvisionContext } from '../../src/core/plugin.js';
import { lineOf, rawConfig } from '../../src/core/testing.js';
import { NoneCommunicator } from '../../src/core/none-communicator.js';
import type { ValueObject } from '../../src/core/model/value.js';
import { flattenVars } from '../../src/core/shell-vars.js';
import { shellLocalProvisioner } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'imgbuild-shell-local-test-'));
const prepCtx = { templateDir: dir, sourceFullName: 'null.basic', buildName: '' };

function ctx(sink: MemorySink, signal = new AbortController().signal): ProvisionContext {
  return {
    signal,
    ui: makeUi('null.basic', sink),
    comm: new NoneCommunicator(),
    generated: { PackerRunUUID: 'u', PackerHTTPAddr: '10.0.0.1:8080' },
    build: { buildName: '', sourceFullName: 'null.basic', sourceType: 'null', sourceName: 'basic', runId: 'u', templateDir: dir },
  };
}

async function run(values: ValueObject, sink = new MemorySink()): Promise<string[]> {
  const p = shellLocalProvisioner.prepare(rawConfig(values), prepCtx);
  expect(p.errors).toEqual([]);
  if (!p.config) throw new Error('no config');
  await shellLocalProvisioner.provision(ctx(sink), p.config);
  return sink.of('output').map((e) => e.line);
}

describe('shell-local provisioner', () => {
  it('runs inline commands with Packer variables and user variables', async () => {
    const lines = await run({
      inline: ['echo "$PACKER_BUILD_NAME $PACKER_BUILDER_TYPE $PACKER_HTTP_ADDR $PACKER_RUN_UUID"', 'echo "$FOO|$BAR|$QUOTED"'],
      environment_vars: ['FOO=foo value', "QUOTED=it's"],
      env: { BAR: 'bar' },
    });
    expect(lines).toEqual(['basic null 10.0.0.1:8080 u', "foo value|bar|it's"]);
  });

  it('runs `command` and reports the script it ran', async () => {
    const sink = new MemorySink();
    await run({ command: 'echo hi; echo err >&2' }, sink);
    expect(sink.of('output').map((e) => [e.stream, e.line])).toEqual([['stdout', 'hi'], ['stderr', 'err']]);
    expect(sink.of('message')[0]?.text).toMatch(/^Running local shell script: .*inline$/);
  });

  it('runs script files relative to the template folder, in order, without needing the exec bit', async () => {
    writeFileSync(join(dir, 'one.sh'), '#!/bin/sh\necho one "$1$X"\n');
    writeFileSync(join(dir, 'two.sh'), '#!/bin/bash\necho "two ${BASH_VERSION:+bash}"\n');
    chmodSync(join(dir, 'one.sh'), 0o644);
    expect(await run({ scripts: ['one.sh', join(dir, 'two.sh')], environment_vars: ['X=!'] })).toEqual(['one !', 'two bash']);
  });

  it('fails on an exit code not in valid_exit_codes and accepts listed ones', async () => {
    await expect(run({ inline: ['exit 3'] })).rejects.toThrow(/^Erroneous exit code 3 while executing script: /);
    await expect(run({ inline: ['exit 3'], valid_exit_codes: [0, 3] })).resolves.toEqual([]);
    // inline_shebang defaults to `/bin/sh -e`: the first failing line stops the script.
    await expect(run({ inline: ['false', 'echo not reached'] })).rejects.toThrow('Erroneous exit code 1');
  });

  it('supports execute_command as a list and as a shell string with {{.Vars}} and {{.Path}}', async () => {
    expect(await run({ inline: ['echo "[$V]"'], environment_vars: ['V=1'], execute_command: ['/bin/sh', '-c', '{{.Vars}} /bin/sh {{.Script}}'] })).toEqual(['[1]']);
    expect(await run({ inline: ['echo "[$V]"'], environment_vars: ['V=2'], execute_command: 'chmod +x "{{.Path}}"; {{.Vars}} "{{.Path}}"' })).toEqual(['[2]']);
  });

  it('skips when only_on excludes this OS', async () => {
    const sink = new MemorySink();
    expect(await run({ inline: ['echo ran'], only_on: ['windows'] }, sink)).toEqual([]);
    expect(sink.of('message')[0]?.text).toContain('Skipping shell-local');
  });

  it('kills the process group when aborted', async () => {
    const p = shellLocalProvisioner.prepare(rawConfig({ inline: ['sleep 30'] }), prepCtx);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const started = Date.now();
    await expect(shellLocalProvisioner.provision(ctx(new MemorySink(), ac.signal), p.config!)).rejects.toThrow('build cancelled');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('quotes variables as Packer does', () => {
    expect(flattenVars([['A', "x'y"], ['B', '']], "%s='%s' ")).toBe(`A='x'"'"'y' B='' `);
  });
});

describe('shell-local prepare', () => {
  it('rejects unknown keys with a hint, at the key', () => {
    const raw = rawConfig({ inlin: ['x'] });
    const p = shellLocalProvisioner.prepare(raw, prepCtx);
    expect(p.errors.map((d) => [d.summary, d.detail, d.subject?.start.line])).toEqual([
      ['Unsupported argument', 'An argument named "inlin" is not expected here. Did you mean "inline"?', lineOf(raw, 'inlin')],
      ['Missing required argument', 'One of command, inline, script or scripts must be specified.', 1],
    ]);
  });

  it('rejects two sources of commands and malformed environment_vars', () => {
    const raw = rawConfig({ inline: ['x'], script: 'a.sh', environment_vars: ['NOEQUALS'] });
    const p = shellLocalProvisioner.prepare(raw, prepCtx);
    expect(p.errors.map((d) => [d.detail, d.subject?.start.line])).toEqual([
      ['Only one of command, inline, script or scripts may be specified.', lineOf(raw, 'script')],
      ["Environment variable not in format 'key=value': NOEQUALS", lineOf(raw, 'environment_vars.0')],
    ]);
  });

  it('accepts Packer keys that only matter on Windows, with a warning', () => {
    const p = shellLocalProvisioner.prepare(rawConfig({ inline: ['x'], use_linux_pathing: true }), prepCtx);
    expect(p.errors).toEqual([]);
    expect(p.warnings.map((d) => d.summary)).toEqual(['Argument is ignored']);
  });
});

it('reads nothing from disk at prepare time', () => {
  const p = shellLocalProvisioner.prepare(rawConfig({ script: 'missing.sh' }), prepCtx);
  expect(p.errors).toEqual([]);
  expect(p.config?.scripts).toEqual([join(dir, 'missing.sh')]);
  expect(() => readFileSync(join(dir, 'missing.sh'))).toThrow();
});
