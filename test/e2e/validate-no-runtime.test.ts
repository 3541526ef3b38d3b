// `validate` loads each plugin's definition (schema, prepare) and never its runtime (index.ts,
// steps, driver, SDK clients): pinned for every shipped builder, provisioner and
// post-processor by tracing the modules a real `imgbuild validate` child process resolves.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { shippedPlugins } from '../../src/cli/plugins.js';
import { runCliTraced } from '../helpers/loaded-modules.js';

const plugins = shippedPlugins().filter((p) => p.kind !== 'data-source');

/** One template naming every plugin with an empty body: prepare may reject it, loading is what counts. */
function everyPluginTemplate(): string {
  const builders = plugins.filter((p) => p.kind === 'builder');
  const sources = builders.map((b) => `source "${b.name}" "x" {}\n`).join('');
  const refs = builders.map((b) => `"source.${b.name}.x"`).join(', ');
  const provisioners = plugins.filter((p) => p.kind === 'provisioner').map((p) => `  provisioner "${p.name}" {}\n`).join('');
  const postProcessors = plugins.filter((p) => p.kind === 'post-processor').map((p) => `  post-processor "${p.name}" {}\n`).join('');
  return `${sources}build {\n  sources = [${refs}]\n${provisioners}${postProcessors}}\n`;
}

describe('validate loads no plugin runtime', () => {
  let dir: string;
  let urls: string[];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'imgbuild-defs-'));
    writeFileSync(path.join(dir, 'all.pkr.hcl'), everyPluginTemplate());
    const r = await runCliTraced(['validate', dir]);
    // Empty bodies miss required keys: a located diagnostic, not a crash.
    expect(r.stderr).not.toMatch(/internal error/);
    urls = r.urls.filter((u) => u.startsWith('file:')).map((u) => u.replace(/^.*\/dist\//, ''));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(plugins.map((p) => [`${p.kind} ${p.name}`, p.folder]))('%s: its definition is loaded, its index.js is not', (_label, folder) => {
    expect(urls).toContain(`${folder}/definition.js`);
    expect(urls).not.toContain(`${folder}/index.js`);
  });

  test('no step, driver, runner, runtime, VM, SSH or archive module is loaded', () => {
    const runtime = /^(builders|provisioners|post-processors)\/[^/]+\/(index|driver|run|job)\.js$|\/steps\/|^src\/(runtime\/index|vm\/|disk\/(artifact|raw-disk|formats|driver)|oci\/(archive|layout|registry\/client)|communicators\/ssh\/(index|connect)|shell-local\/run|bootstrap\/)|node_modules\/(ssh2|tar|listr2)\//;
    expect(urls.filter((u) => runtime.test(u))).toEqual([]);
  });
});
