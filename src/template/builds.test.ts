import { isUnknown } from '../core/model/value.js';
import { planBuilds } from './planner.js';
import { errors, loadFiles, mustPlan, summaries } from './test-helpers.js';

const TWO_SOURCES = `
source "docker" "a" { image = "a" }
source "docker" "b" { image = "b" }
`;

describe('build blocks and plans', () => {
  test('provisioners run in file order; only/except filter per source; meta-arguments are consumed', async () => {
    const { plan } = await mustPlan({
      'a.pkr.hcl': `${TWO_SOURCES}
build {
  sources = ["source.docker.a", "docker.b"]
  provisioner "shell" {
    inline       = ["one"]
    only         = ["docker.a"]
    pause_before = "1m30s"
    timeout      = "10s"
    max_retries  = "3"
    name         = "first"
  }
  provisioner "file" {
    source = "x"
    except = ["docker.a"]
  }
  provisioner "shell" { inline = ["three"] }
  error-cleanup-provisioner "shell-local" { inline = ["cleanup"] }
  post-processor "manifest" { only = ["docker.b"] }
  post-processors {
    post-processor "docker-tag" {
      repository          = "r"
      keep_input_artifact = true
    }
    post-processor "docker-push" { name = "push" }
  }
}
`,
    });
    const [a, b] = plan.builds;
    expect(a?.provisioners.map((p) => p.type)).toEqual(['shell', 'shell']);
    expect(b?.provisioners.map((p) => p.type)).toEqual(['file', 'shell']);
    const first = a?.provisioners[0];
    expect([first?.name, first?.pauseBeforeMs, first?.timeoutMs, first?.maxRetries]).toEqual(['first', 90_000, 10_000, 3]);
    expect(first?.evaluate(null).raw.values).toEqual({ inline: ['one'] });
    expect(a?.errorCleanupProvisioner?.evaluate(null).raw.values).toEqual({ inline: ['cleanup'] });
    expect(a?.postProcessorChains.map((c) => c.map((p) => p.type))).toEqual([['docker-tag', 'docker-push']]);
    expect(b?.postProcessorChains.map((c) => c.map((p) => p.type))).toEqual([['manifest'], ['docker-tag', 'docker-push']]);
    expect(a?.postProcessorChains[0]?.[0]?.keepInputArtifact).toBe(true);
    expect(a?.postProcessorChains[0]?.[1]?.keepInputArtifact).toBeNull();
    expect(a?.postProcessorChains[0]?.[1]?.name).toBe('push');
    expect(a?.postProcessorChains[0]?.[0]?.evaluate(null).raw.values).toEqual({ repository: 'r' });
  });

  test('override merges per-source arguments into the provisioner config', async () => {
    const { plan } = await mustPlan({
      'a.pkr.hcl': `${TWO_SOURCES}
build {
  sources = ["docker.a", "docker.b"]
  provisioner "shell" {
    inline = ["echo"]
    execute_command = "sh {{.Path}}"
    override = {
      "docker.b" = { execute_command = "sudo sh {{.Path}}", env = { A = "1" } }
    }
  }
}
`,
    });
    expect(plan.builds[0]?.provisioners[0]?.evaluate(null).raw.values).toEqual({ inline: ['echo'], execute_command: 'sh {{.Path}}' });
    const b = plan.builds[1]?.provisioners[0]?.evaluate(null).raw;
    expect(b?.values).toEqual({ inline: ['echo'], execute_command: 'sudo sh {{.Path}}', env: { A: '1' } });
    expect(b?.ranges.has('env')).toBe(true);
  });

  test('build.* is unknown until generated data is given; source.*, build.name and packer_build_name are known', async () => {
    const { plan } = await mustPlan({
      'a.pkr.hcl': `
source "null" "n" { communicator = "none" }
build {
  name    = "app"
  sources = ["null.n"]
  provisioner "shell-local" {
    inline = ["ssh \${build.User}@\${build.Host}:\${build.Port}", "\${source.type}.\${source.name} in \${build.name}", packer_build_name]
    key    = build.SSHPrivateKey
    ami    = build.SourceAMIName
  }
}
`,
    });
    const p = plan.builds[0]?.provisioners[0];
    const lazy = p?.evaluate(null);
    expect(lazy?.diagnostics).toEqual([]);
    const inline = lazy?.raw.values['inline'];
    expect(Array.isArray(inline) && isUnknown(inline[0])).toBe(true);
    expect(Array.isArray(inline) ? inline.slice(1) : null).toEqual(['null.n in app', 'app']);
    expect(isUnknown(lazy?.raw.values['key'] ?? null)).toBe(true);
    const real = p?.evaluate({ User: 'root', Host: '10.0.0.5', Port: 22, SSHPrivateKey: 'KEY', SourceAMIName: 'ami-1' });
    expect(real?.raw.values['inline']).toEqual(['ssh root@10.0.0.5:22', 'null.n in app', 'app']);
    expect(real?.raw.values['key']).toBe('KEY');
    expect(real?.raw.values['ami']).toBe('ami-1');
    // A standard key the builder did not provide reads as blank, as in Packer.
    expect(p?.evaluate({ Host: 'h' }).raw.values['key']).toBe('');
    expect(plan.builds[0]?.displayName).toBe('app.null.n');
  });

  test('a build-level source block renames the source and adds arguments; redefining one is an error', async () => {
    const files = {
      'a.pkr.hcl': `
source "docker" "base" {
  image = "debian"
  tag { k = "a" }
}
build {
  source "docker.base" {
    name   = "web"
    commit = true
    tag { k = "b" }
  }
  source "source.docker.base" { name = "db" }
}
`,
    };
    const { plan } = await mustPlan(files);
    expect(plan.builds.map((b) => [b.sourceFullName, b.sourceName])).toEqual([
      ['docker.web', 'web'],
      ['docker.db', 'db'],
    ]);
    expect(plan.builds[0]?.source.evaluate(null).raw.values).toEqual({ image: 'debian', commit: true, tag: [{ k: 'a' }, { k: 'b' }] });
    const bad = await loadFiles({ 'a.pkr.hcl': 'source "docker" "base" { image = "debian" }\nbuild {\n  source "docker.base" {\n    image = "ubuntu"\n  }\n}\n' });
    expect(errors(bad.diagnostics)).toEqual([]);
    if (!bad.template) throw new TypeError('no template');
    const p = planBuilds(bad.template, { only: [], except: [] });
    expect(summaries(p.diagnostics)).toEqual(['Duplicate argument']);
    expect(p.diagnostics[0]?.subject?.start.line).toBe(4);
  });

  test('dynamic blocks expand anywhere in plugin bodies, nested, with iterator key/value and labels', async () => {
    const { plan } = await mustPlan({
      'a.pkr.hcl': `
variable "disks" {
  default = { data = [10, 20], logs = [5] }
}
source "qemu" "vm" {
  dynamic "disk" {
    for_each = var.disks
    iterator = d
    content {
      name = d.key
      dynamic "part" {
        for_each = d.value
        content {
          index = part.key
          size  = "\${part.value}G on \${source.name}"
        }
      }
    }
  }
}
build {
  sources = ["qemu.vm"]
  provisioner "shell" {
    dynamic "env" {
      for_each = ["A", "B"]
      content { name = "\${env.value}=\${build.ID}" }
    }
  }
}
`,
    });
    const raw = plan.builds[0]?.source.evaluate(null).raw;
    expect(raw?.values).toEqual({
      disk: [
        { name: 'data', part: [{ index: 0, size: '10G on vm' }, { index: 1, size: '20G on vm' }] },
        { name: 'logs', part: [{ index: 0, size: '5G on vm' }] },
      ],
    });
    expect(raw?.ranges.get('disk.0.part.1.size')?.start.line).toBe(15);
    const env = plan.builds[0]?.provisioners[0]?.evaluate({ ID: 'c1' }).raw.values;
    expect(env).toEqual({ env: [{ name: 'A=c1' }, { name: 'B=c1' }] });
  });

  test('RawConfig has a range for every key path and the block range', async () => {
    const { plan } = await mustPlan({
      'a.pkr.hcl': 'source "docker" "a" {\n  image = "x"\n  changes = [\n    "A",\n    "B",\n    "C",\n  ]\n  tags = { Name = "n" }\n  tag {\n    key = "k"\n  }\n}\nbuild { sources = ["docker.a"] }\n',
    });
    const raw = plan.builds[0]?.source.evaluate(null).raw;
    const line = (k: string): number | undefined => raw?.ranges.get(k)?.start.line;
    expect([line('image'), line('changes'), line('changes.2'), line('tags.Name'), line('tag'), line('tag.0'), line('tag.0.key')]).toEqual([2, 3, 6, 8, 9, 9, 10]);
    expect(raw?.blockRange.start.line).toBe(1);
    expect(raw?.blockRange.end.line).toBe(12);
  });

  test('-only and -except are globs over "build.type.name" (or "type.name"), and -except also drops post-processors by name', async () => {
    const files = {
      'a.pkr.hcl': `${TWO_SOURCES}
source "null" "c" { communicator = "none" }
build {
  name    = "app"
  sources = ["docker.a", "docker.b", "null.c"]
  post-processor "manifest" { name = "mf" }
  post-processor "checksum" {}
}
build { sources = ["docker.a"] }
`,
    };
    const r = await loadFiles(files);
    if (!r.template) throw new TypeError('no template');
    const t = r.template;
    const run = (only: string[], except: string[]): string[] => planBuilds(t, { only, except }).plan?.builds.map((b) => b.displayName) ?? [];
    expect(run([], [])).toEqual(['app.docker.a', 'app.docker.b', 'app.null.c', 'docker.a']);
    expect(run(['app.docker.*'], [])).toEqual(['app.docker.a', 'app.docker.b']);
    expect(run(['docker.a'], [])).toEqual(['docker.a']);
    expect(run(['*.a'], [])).toEqual(['app.docker.a', 'docker.a']);
    expect(run([], ['*null*', 'app.docker.{a,b}'])).toEqual(['docker.a']);
    const pp = planBuilds(t, { only: [], except: ['mf', 'app.docker.*', 'docker.a'] }).plan?.builds[0]?.postProcessorChains;
    expect(pp?.map((c) => c.map((x) => x.type))).toEqual([['checksum']]);
    expect(summaries(planBuilds(t, { only: ['a'], except: ['b'] }).diagnostics)).toEqual(['Both -only and -except given']);
  });

  test('a build naming an undeclared source is an error with did-you-mean at plan time', async () => {
    const r = await loadFiles({ 'a.pkr.hcl': `${TWO_SOURCES}\nbuild {\n  sources = ["docker.a", "source.docker.c"]\n}\n` });
    if (!r.template) throw new TypeError('no template');
    const p = planBuilds(r.template, { only: [], except: [] });
    expect(p.plan).toBeNull();
    expect(summaries(p.diagnostics)).toEqual(['Unknown source docker.c']);
    expect(p.diagnostics[0]?.detail).toMatch(/Did you mean "docker\.[ab]"\?/);
    expect(p.diagnostics[0]?.subject?.start.column).toBe(26);
  });

  test('plugin bodies reject undeclared var/local references with did-you-mean when planned', async () => {
    const r = await loadFiles({
      'a.pkr.hcl': 'variable "region" { default = "eu" }\nsource "null" "n" {\n  region = var.regoin\n}\nbuild {\n  sources = ["null.n"]\n  provisioner "shell" { inline = [local.cmd] }\n}\n',
    });
    if (!r.template) throw new TypeError('no template');
    const p = planBuilds(r.template, { only: [], except: [] });
    expect(p.diagnostics.map((d) => [d.summary, d.subject?.start.line])).toEqual([
      ['Reference to undeclared input variable', 3],
      ['Reference to undeclared local value', 7],
    ]);
    expect(p.diagnostics[0]?.detail).toContain('Did you mean "region"?');
  });

  test('unknown blocks and arguments at Packer level get exact ranges and did-you-mean', async () => {
    const r = await loadFiles({
      'a.pkr.hcl': 'bulid {\n}\nbuild {\n  sourcs = []\n  provisoner "shell" {}\n}\nvariable "x" {\n  default = 1\n  descriptoin = ""\n}\n',
    });
    expect(r.diagnostics.map((d) => [d.summary, d.subject?.start.line, d.detail.match(/Did you mean "([^"]+)"/)?.[1]])).toEqual([
      ['Unsupported block type', 1, 'build'],
      ['Unsupported argument', 9, 'description'],
      ['Unsupported argument', 4, 'sources'],
      ['Unsupported block type', 5, 'provisioner'],
    ]);
  });

  test('duplicate sources, both only and except, and bad durations are errors', async () => {
    const r = await loadFiles({
      'a.pkr.hcl': `${TWO_SOURCES}
source "docker" "a" {}
build {
  sources = ["docker.a"]
  provisioner "shell" {
    only   = ["docker.a"]
    except = ["docker.b"]
  }
  provisioner "shell" { pause_before = "soon" }
}
`,
    });
    expect(summaries(r.diagnostics)).toEqual(['Duplicate source block', 'Both only and except are set', 'Invalid duration']);
  });

  test('an unmet required_version is a warning naming the Packer-compatible version', async () => {
    const ok = await loadFiles({ 'a.pkr.hcl': 'packer {\n  required_version = ">= 1.7.0, < 2"\n  required_plugins {\n    docker = {\n      source  = "github.com/hashicorp/docker"\n      version = ">= 1.0.8"\n    }\n  }\n}\n' });
    expect(errors(ok.diagnostics)).toEqual([]);
    expect(ok.template?.requiredPlugins).toEqual([{ name: 'docker', source: 'github.com/hashicorp/docker', version: '>= 1.0.8', range: expect.anything() as unknown }]);
    const bad = await loadFiles({ 'a.pkr.hcl': 'packer {\n  required_version = "~> 1.12"\n}\n' });
    expect(bad.diagnostics.map((d) => d.summary)).toEqual(['Newer Packer Core version requested']);
    expect(errors(bad.diagnostics)).toEqual([]);
    expect(bad.diagnostics[0]?.detail).toContain('1.11.0');
  });
});
