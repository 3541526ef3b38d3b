/* eslint-disable @typescript-eslint/require-await -- fakes implement async interfaces without awaiting */
import { PassThrough } from 'node:stream';
import { MemorySink, ScrubbingSink, createSink, makeUi } from './events.js';
import { escapeMachineField } from './render/machine.js';
import type { BuildEvent, EventSink } from './ui.js';

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let buf = '';
  out.on('data', (c: Buffer) => (buf += c.toString()));
  return { out, text: () => buf };
}

function drive(sink: EventSink, secret: string): void {
  const ui = makeUi('null.basic', sink);
  ui.emit({ type: 'build-start', build: 'null.basic', time: 1_700_000_000_000 });
  ui.say(`Connecting with password ${secret}`);
  ui.message(`detail ${secret}`);
  ui.output('shell', 'stdout', `token=${secret}\nsecond line, with comma\npartial`);
  ui.flush();
  ui.emit({ type: 'artifact', build: 'null.basic', builderId: 'packer.null', id: secret, files: [`/out/${secret}.img`], description: `made ${secret}`, index: 0, time: 1 });
  ui.emit({ type: 'build-end', build: 'null.basic', ok: false, error: `auth failed for ${secret}`, time: 1_700_000_001_500 });
}

describe('makeUi', () => {
  it('splits output chunks into lines and flushes the partial last line', () => {
    const sink = new MemorySink();
    const ui = makeUi('b', sink);
    ui.output('sh', 'stdout', 'hel');
    ui.output('sh', 'stdout', 'lo\r\nwor');
    ui.output('sh', 'stderr', 'err\n');
    expect(sink.of('output').map((e) => [e.stream, e.line])).toEqual([
      ['stdout', 'hello'],
      ['stderr', 'err'],
    ]);
    ui.flush();
    expect(sink.of('output').map((e) => e.line)).toEqual(['hello', 'err', 'wor']);
  });

  it('rejects ask when no one can answer', async () => {
    await expect(makeUi('b', new MemorySink()).ask('go?')).rejects.toThrow('not running interactively');
  });
});

describe('ScrubbingSink', () => {
  const secret = 's3cr3t-Value';

  it.each(['plain', 'machine-readable', 'json'] as const)('scrubs every string in %s output', async (mode) => {
    const { out, text } = capture();
    const sink = createSink(mode, { builds: ['null.basic'], out, color: false, sensitiveValues: [secret, 's3cr3t'] });
    drive(sink, secret);
    await sink.close?.();
    expect(text()).not.toContain('s3cr3t');
    expect(text()).toContain('<sensitive>');
  });

  it('replaces the longest value first', () => {
    const mem = new MemorySink();
    const sink = new ScrubbingSink(mem, ['abc', 'abcdef']);
    sink.emit({ type: 'message', build: 'b', level: 'say', text: 'x abcdef y abc', time: 0 });
    expect((mem.events[0] as Extract<BuildEvent, { type: 'message' }>).text).toBe('x <sensitive> y <sensitive>');
  });
});

describe('renderers', () => {
  it('plain prints Packer-style lines and the artifact summary', async () => {
    const { out, text } = capture();
    const sink = createSink('plain', { builds: ['null.basic'], out, color: false });
    const ui = makeUi('null.basic', sink);
    ui.emit({ type: 'build-start', build: 'null.basic', time: 0 });
    ui.say('Running local shell script: /tmp/x');
    ui.output('shell-local', 'stdout', 'hello\n');
    ui.emit({ type: 'artifact', build: 'null.basic', builderId: 'packer.null', id: 'Null', files: [], description: 'Did not export anything. This is the null builder', index: 0, time: 0 });
    ui.emit({ type: 'build-end', build: 'null.basic', ok: true, time: 1500 });
    await sink.close?.();
    expect(text()).toContain('==> null.basic: Running local shell script: /tmp/x\n    null.basic: hello\n');
    expect(text()).toContain("Build 'null.basic' finished after 1 second 500 milliseconds.");
    expect(text()).toContain('--> null.basic: Did not export anything. This is the null builder');
  });

  it('plain prefixes lines with a timestamp under -timestamp-ui and colors only when asked', () => {
    const { out, text } = capture();
    const sink = createSink('plain', { builds: ['b'], out, color: true, timestamps: true });
    sink.emit({ type: 'message', build: 'b', level: 'say', text: 'hi', time: Date.UTC(2024, 0, 2, 3, 4, 5) });
    expect(text()).toBe('2024-01-02T03:04:05Z: \x1b[1;0m==> b: hi\x1b[0m\n');
  });

  it('machine-readable writes Packer records: ui lines with an empty target, error-count and TARGET,error on failure', async () => {
    const { out, text } = capture();
    const sink = createSink('machine-readable', { builds: ['null.basic'], out });
    drive(sink, 'pw');
    await sink.close?.();
    const lines = text().trim().split('\n');
    const rest = lines.map((l) => l.replace(/^\d+,/, ''));
    expect(lines.every((l) => /^\d+,/.test(l))).toBe(true);
    expect(rest).not.toContain(',ui,say,null.basic: output will be in this color.');
    expect(rest[0]).toBe(',ui,say,==> null.basic: Connecting with password pw');
    expect(rest).toContain(',ui,message,    null.basic: second line%!(PACKER_COMMA) with comma');
    expect(rest).toContain(",ui,error,Build 'null.basic' errored after 1 second 500 milliseconds: auth failed for pw");
    expect(rest).toContain(',error-count,1');
    expect(rest).toContain('null.basic,error,auth failed for pw');
    expect(rest).toContain(",ui,error,\\n==> Some builds didn't complete successfully and had errors:");
    expect(rest.filter((l) => /^[^,]*,ui,/.test(l)).every((l) => l.startsWith(',ui,'))).toBe(true);
    expect(escapeMachineField('a,b\nc')).toBe('a%!(PACKER_COMMA)b\\nc');
  });

  it('machine-readable lists artifacts after "Builds finished" only when a build succeeded, in the order given', async () => {
    const { out, text } = capture();
    const sink = createSink('machine-readable', { builds: ['docker.app'], out });
    const ui = makeUi('docker.app', sink);
    ui.emit({ type: 'build-start', build: 'docker.app', time: 0 });
    ui.emit({ type: 'artifact', build: 'docker.app', builderId: 'packer.post-processor.docker-import', id: 'sha256:abc', files: [], description: 'Imported Docker image: sha256:abc', index: 0, time: 1 });
    ui.emit({ type: 'artifact', build: 'docker.app', builderId: 'packer.post-processor.docker-tag', id: 'sha256:abc', files: ['a,b'], description: 'tagged\nrepo:1', index: 1, time: 1 });
    ui.emit({ type: 'build-end', build: 'docker.app', ok: true, time: 2000 });
    await sink.close?.();
    const rest = text().trim().split('\n').map((l) => l.replace(/^\d+,/, ''));
    expect(rest.slice(rest.indexOf(',ui,say,\\n==> Builds finished. The artifacts of successful builds are:'))).toEqual([
      ',ui,say,\\n==> Builds finished. The artifacts of successful builds are:',
      'docker.app,artifact-count,2',
      'docker.app,artifact,0,builder-id,packer.post-processor.docker-import',
      'docker.app,artifact,0,id,sha256:abc',
      'docker.app,artifact,0,string,Imported Docker image: sha256:abc',
      'docker.app,artifact,0,files-count,0',
      'docker.app,artifact,0,end',
      ',ui,say,--> docker.app: Imported Docker image: sha256:abc',
      'docker.app,artifact,1,builder-id,packer.post-processor.docker-tag',
      'docker.app,artifact,1,id,sha256:abc',
      'docker.app,artifact,1,string,tagged\\nrepo:1',
      'docker.app,artifact,1,files-count,1',
      'docker.app,artifact,1,file,0,a%!(PACKER_COMMA)b',
      'docker.app,artifact,1,end',
      ',ui,say,--> docker.app: tagged\\nrepo:1',
    ]);
    expect(rest).not.toContain(',error-count,1');
  });

  it('plain asks on its output and answers from its input', async () => {
    const { out, text } = capture();
    const input = new PassThrough();
    const sink = createSink('plain', { builds: ['b'], out, color: false, input });
    const answer = makeUi('b', sink).ask('Press enter to continue.');
    input.write('r\n');
    await expect(answer).resolves.toBe('r');
    expect(text()).toBe('==> b: Press enter to continue. ');
    const eof = makeUi('b', sink).ask('again?');
    input.end();
    await expect(eof).resolves.toBe('');
  });

  it('json writes one event per line', () => {
    const { out, text } = capture();
    const sink = createSink('json', { builds: ['b'], out });
    sink.emit({ type: 'message', build: 'b', level: 'say', text: 'hi', time: 5 });
    expect(JSON.parse(text().trim())).toEqual({ type: 'message', build: 'b', level: 'say', text: 'hi', time: 5 });
  });

  it('auto falls back to plain when not a TTY or CI=true', async () => {
    const { out, text } = capture();
    const sink = createSink('auto', { builds: ['b'], out, color: false, env: { CI: 'true' } });
    sink.emit({ type: 'message', build: 'b', level: 'say', text: 'hi', time: 0 });
    expect(text()).toBe('==> b: hi\n');
  });
});
