// Packer's -machine-readable format: `timestamp,target,type,data...`, one record a line,
// with commas in data written as %!(PACKER_COMMA) and newlines as a literal \n, so
// existing Packer log parsers keep working.
import type { Writable } from 'node:stream';
import type { BuildEvent, EventSink } from '../ui.js';
import { humanDuration, type SummaryArtifact } from './common.js';

export function escapeMachineField(s: string): string {
  return s.replace(/,/g, '%!(PACKER_COMMA)').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

export class MachineReadableSink implements EventSink {
  private readonly started = new Map<string, number>();
  private readonly artifacts: SummaryArtifact[] = [];

  constructor(private readonly out: Writable) {}

  emit(e: BuildEvent): void {
    switch (e.type) {
      case 'build-start':
        this.started.set(e.build, e.time);
        this.record(e.time, e.build, 'ui', 'say', `${e.build}: output will be in this color.`);
        return;
      case 'message': {
        const kind = e.level === 'message' ? 'message' : e.level === 'error' ? 'error' : 'say';
        const head = e.level === 'message' ? `    ${e.build}: ` : `==> ${e.build}: `;
        this.record(e.time, e.build, 'ui', kind, e.text.split('\n').map((l) => head + l).join('\n'));
        return;
      }
      case 'output':
        this.record(e.time, e.build, 'ui', 'message', `    ${e.build}: ${e.line}`);
        return;
      case 'cleanup':
        if (!e.ok) this.record(e.time, e.build, 'ui', 'error', `==> ${e.build}: Error cleaning up "${e.step}": ${e.error ?? ''}`);
        return;
      case 'artifact':
        this.artifacts.push({ build: e.build, builderId: e.builderId, id: e.id, files: e.files, description: e.description });
        return;
      case 'build-end': {
        const took = humanDuration(e.time - (this.started.get(e.build) ?? e.time));
        if (e.ok) this.record(e.time, '', 'ui', 'say', `Build '${e.build}' finished after ${took}.`);
        else this.record(e.time, '', 'ui', 'error', `Build '${e.build}' errored after ${took}: ${e.error ?? 'build cancelled'}`);
        return;
      }
      case 'step-end':
        if (e.cached) this.record(e.time, e.build, 'ui', 'message', `    ${e.build}: ${e.step}: using cached result`);
        return;
      case 'step-start':
        return;
    }
  }

  close(): Promise<void> {
    const t = Date.now();
    this.record(t, '', 'ui', 'say', '\n==> Builds finished. The artifacts of successful builds are:');
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
        this.record(t, '', 'ui', 'say', `--> ${build}: ${a.description}`);
      });
    }
    return Promise.resolve();
  }

  private record(time: number, target: string, type: string, ...data: string[]): void {
    const fields = [String(Math.floor(time / 1000)), target, type, ...data.map(escapeMachineField)];
    this.out.write(`${fields.join(',')}\n`);
  }
}
