// Packer's human output, line by line: `==> build: headline`, `    build: detail`, and the
// artifact summary at the end. Used when stdout is not a TTY, when CI=true, and for -debug.
import type { Readable, Writable } from 'node:stream';
import type { BuildEvent, EventSink } from '../ui.js';
import { askLine, humanDuration, type SummaryArtifact } from './common.js';

const COLORS = [32, 36, 35, 33, 34]; // green, cyan, magenta, yellow, blue, as Packer cycles them
const RED = 31;
const YELLOW = 33;

export interface PlainOptions {
  out: Writable;
  color: boolean;
  timestamps: boolean;
  input: Readable | null;
}

export class PlainSink implements EventSink {
  readonly ask?: (build: string, question: string) => Promise<string>;
  private readonly colorOf = new Map<string, number>();
  private readonly started = new Map<string, number>();
  private readonly artifacts: SummaryArtifact[] = [];
  private readonly failures: { build: string; error: string }[] = [];
  private readonly firstStart = Date.now();

  constructor(private readonly opts: PlainOptions) {
    const input = opts.input;
    if (input) {
      this.ask = (build, question) => askLine(input, opts.out, this.paint(build, `==> ${build}: ${question}`, true));
    }
  }

  emit(e: BuildEvent): void {
    switch (e.type) {
      case 'build-start':
        this.started.set(e.build, e.time);
        this.colorOf.set(e.build, COLORS[this.colorOf.size % COLORS.length] ?? 32);
        this.line(e.build, `${e.build}: output will be in this color.`, false, e.time);
        this.raw('\n');
        return;
      case 'message': {
        const head = e.level === 'message' ? `    ${e.build}: ` : `==> ${e.build}: `;
        const code = e.level === 'error' ? RED : e.level === 'warn' ? YELLOW : undefined;
        for (const l of e.text.split('\n')) this.line(e.build, head + l, e.level !== 'message', e.time, code);
        return;
      }
      case 'output':
        this.line(e.build, `    ${e.build}: ${e.line}`, false, e.time, e.stream === 'stderr' ? undefined : undefined);
        return;
      case 'step-end':
        if (e.cached) this.line(e.build, `    ${e.build}: ${e.step}: using cached result`, false, e.time);
        return;
      case 'cleanup':
        if (!e.ok) this.line(e.build, `==> ${e.build}: Error cleaning up "${e.step}": ${e.error ?? ''}`, true, e.time, RED);
        return;
      case 'artifact':
        this.artifacts.push({ build: e.build, builderId: e.builderId, id: e.id, files: e.files, description: e.description });
        return;
      case 'build-end': {
        const took = humanDuration(e.time - (this.started.get(e.build) ?? e.time));
        if (e.ok) {
          this.line(e.build, `Build '${e.build}' finished after ${took}.`, false, e.time);
        } else {
          const why = e.cancelled ? (e.error ?? 'build cancelled') : (e.error ?? 'unknown error');
          this.failures.push({ build: e.build, error: why });
          this.line(e.build, `Build '${e.build}' errored after ${took}: ${why}`, false, e.time, RED);
        }
        return;
      }
      case 'step-start':
        return;
    }
  }

  close(): Promise<void> {
    const now = Date.now();
    this.raw(`\n==> Wait completed after ${humanDuration(now - this.firstStart)}\n`);
    if (this.failures.length > 0) {
      this.raw(`\n==> Some builds didn't complete successfully and had errors:\n`);
      for (const f of this.failures) this.raw(`--> ${f.build}: ${f.error}\n`);
    }
    if (this.artifacts.length > 0) {
      this.raw(`\n==> Builds finished. The artifacts of successful builds are:\n`);
      for (const a of this.artifacts) {
        const [first = '', ...rest] = a.description.split('\n');
        this.raw(`${this.paint(a.build, `--> ${a.build}: ${first}`, false)}\n`);
        for (const r of rest) this.raw(`${r}\n`);
      }
    } else if (this.started.size > 0) {
      this.raw(`\n==> Builds finished but no artifacts were created.\n`);
    }
    return Promise.resolve();
  }

  private line(build: string, text: string, bold: boolean, time: number, code?: number): void {
    const stamp = this.opts.timestamps ? `${new Date(time).toISOString().replace(/\.\d+Z$/, 'Z')}: ` : '';
    this.raw(`${stamp}${this.paint(build, text, bold, code)}\n`);
  }

  private paint(build: string, text: string, bold: boolean, code?: number): string {
    if (!this.opts.color) return text;
    const c = code ?? this.colorOf.get(build) ?? 0;
    return `\x1b[${bold ? '1;' : ''}${c}m${text}\x1b[0m`;
  }

  private raw(text: string): void {
    this.opts.out.write(text);
  }
}
