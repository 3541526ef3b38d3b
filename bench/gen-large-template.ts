// Writes a large but valid template (about 5,000 lines by default) for the validate/inspect
// benchmark: many typed variables with validations, locals that reference them, many null
// sources, and one build with hundreds of shell-local provisioners. Only plugins imgbuild
// ships are used, so a full `validate` exercises every phase, not just the parser.
//
//   node dist/bench/gen-large-template.js [out.pkr.hcl] [target-lines]   (after `npx tsc -p .`)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const out = process.argv[2] ?? '/tmp/imgbuild-bench/large.pkr.hcl';
const target = Number(process.argv[3] ?? 5000);

const parts: string[] = [];
const lines = (): number => parts.join('').split('\n').length;

// Proportions: ~30% variables, ~10% locals, ~10% sources, ~50% provisioners.
const nVars = Math.round((target * 0.3) / 11);
const nLocals = Math.round(target * 0.1);
const nSources = Math.round((target * 0.1) / 5);
// Every source is declared and checked, but the build runs a few: each built source
// evaluates every provisioner again, and 100 x 650 would measure something no one writes.
const BUILT_SOURCES = 4;

for (let i = 0; i < nVars; i++) {
  parts.push(`variable "v${i}" {
  type        = string
  default     = "value-${i}"
  description = "Variable number ${i}, used by local l${i % nLocals}."

  validation {
    condition     = length(var.v${i}) > 0
    error_message = "The v${i} variable must not be empty."
  }
}

`);
}

parts.push('locals {\n');
for (let i = 0; i < nLocals; i++) {
  const v = i % nVars;
  parts.push(`  l${i} = "\${upper(var.v${v})}-${i}"\n`);
}
parts.push('}\n\n');

for (let i = 0; i < nSources; i++) {
  parts.push(`source "null" "s${i}" {
  communicator = "none"
}

`);
}

parts.push(`build {
  name    = "large"
  sources = [${Array.from({ length: Math.min(nSources, BUILT_SOURCES) }, (_, i) => `"source.null.s${i}"`).join(', ')}]

`);
let p = 0;
while (lines() < target - 8) {
  parts.push(`  provisioner "shell-local" {
    inline = ["echo \${local.l${p % nLocals}}", "echo step ${p}"]
  }

`);
  p++;
}
parts.push(`  post-processor "manifest" {
    output = "manifest.json"
  }
}
`);

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, parts.join(''));
process.stdout.write(`${out}: ${lines()} lines, ${nVars} variables, ${nLocals} locals, ${nSources} sources, ${p} provisioners\n`);
