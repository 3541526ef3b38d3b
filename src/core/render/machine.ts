// Packer's -machine-readable format (command/build.go and packer/ui.go): one record a line,
// `timestamp,target,type,data...`, with commas in data written as %!(PACKER_COMMA) and
// newlines as a literal \n, so existing consumers keep working. As in Packer, everything a
// human would read is a `ui` record with an empty target (the build's name is inside the
// text, "==> name: ..."); only the machine records of the summary (`artifact-count`,
// `artifact`, `error`) carry the build as their target. Artifacts come in Packer's order:
// the builder's (when kept) first, then each post-processor chain's.
import type { Writable } from 'node:stream';
import type { BuildEvent, EventSink } from '../ui.js';
import { humanDuration, type SummaryArtifact } from './common.js';

export function escapeMachineField(s: string): string {
  return s.replace(/,/g, '%!(PACKER_COMMA)').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

export class MachineReadableSink implements EventSink {
  private readonly started = new Map<string, number>();
  private readonly artifacts: SummaryArtifact[] = [];
  private readonly failures: { build: string; error: string }[] = [];
  private cancelled = false;
  private readonly firstStart = Date.now();

  constructor(private readonly out: Writable) {}

  emit(e: BuildEvent): void {
    switch (e.type) {
      case 'build-start':
        // Packer prints "output will be in this color" only for colored, human output.
        this.started.set(e.build, e.time);
        return;
      case 'message': {
        const kind = e.level === 'message' ? 'message' : e.level === 'error' ? 'error' : 'say';
        const head = e.level === 'message' ? `    ${e.build}: ` : `==> ${e.build}: `;
        this.ui(e.time, kind, e.text.split('\n').map((l) => head + l).join('\n'));
        return;
      }
      case 'output':
        this.ui(e.time, 'message', `    ${e.build}: ${e.line}`);
        return;
      case 'cleanup':
        if (!e.ok) this.ui(e.time, 'error', `==> ${e.build}: Error cleaning up "${e.step}": ${e.error ?? ''}`);
        return;
      case 'artifact':
        this.artifacts.push({ build: e.build, builderId: e.builderId, id: e.id, files: e.files, description: e.description });
        return;
      case 'build-end': {
        const took = humanDuration(e.time - (this.started.get(e.build) ?? e.time));
        if (e.ok) {
          this.ui(e.time, 'say', `Build '${e.build}' finished after ${took}.`);
          return;
        }
        const why = e.error ?? 'build cancelled';
        if (e.cancelled === true) this.cancelled = true;
        else this.failures.push({ build: e.build, error: why });
        this.ui(e.time, 'error', `Build '${e.build}' errored after ${took}: ${why}`);
        return;
      }
      case 'step-end':
        if (e.cached) this.ui(e.time, 'message', `    ${e.build}: ${e.step}: using cached result`);
        return;
      case 'step-start':
        return;
    }
  }

  close(): Promise<void> {
    const t = Date.now();
    this.ui(t, 'say', `\n==> Wait completed after ${humanDuration(t - this.firstStart)}`);
    if (this.cancelled) {
      this.ui(t, 'say', 'Cleanly cancelled builds after being interrupted.');
      return Promise.resolve();
    }
    if (this.failures.length > 0) {
      this.record(t, '', 'error-count', String(this.failures.length));
      this.ui(t, 'error', "\n==> Some builds didn't complete successfully and had errors:");
      for (const f of this.failures) {
        this.record(t, f.build, 'error', f.error);
        this.ui(t, 'error', `--> ${f.build}: ${f.error}`);
      }
    }
    if (this.artifacts.length === 0) {
      this.ui(t, 'say', '\n==> Builds finished but no artifacts were created.');
      return Promise.resolve();
    }
    this.ui(t, 'say', '\n==> Builds finished. The artifacts of successful builds are:');
    const byBuild = new Map<string, SummaryArtifact[]>();
    for (const a of this.artifacts) byBuild.set(a.build, [...(byBuild.get(a.build) ?? []), a]);
    for (const [build, list] of byBuild) {
      this.record(t, build, 'artifact-count', String(list.length));
      list.forEach((a, i) => {
        const n = String(i);
        this.record(t, build, 'artifact', n, 'builder-id', a.builderId);
        this.record(t, build, 'artifact', n, 'id', a.id);
        this.record(t, build, 'artifact', n, 'string', a.description);
        this.record(t, build, 'artifact', n, 'files-count', String(a.files.length));
        a.files.forEach((f, j) => this.record(t, build, 'artifact', n, 'file', String(j), f));
        this.record(t, build, 'artifact', n, 'end');
        this.ui(t, 'say', `--> ${build}: ${a.description}`);
      });
    }
    return Promise.resolve();
  }

  private ui(time: number, kind: 'say' | 'message' | 'error', text: string): void {
    this.record(time, '', 'ui', kind, text);
  }

  private record(time: number, target: string, type: string, ...data: string[]): void {
    const fields = [String(Math.floor(time / 1000)), target, type, ...data.map(escapeMachineField)];
    this.out.write(`${fields.join(',')}\n`);
  }
}
