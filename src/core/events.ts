// The event plumbing between library code and renderers: a Ui bound to one build (with
// line buffering, since commands write arbitrary chunks), the scrubbing wrapper that keeps
// sensitive values away from every renderer, and the factory that picks a renderer.
import type { Readable, Writable } from 'node:stream';
import { NonInteractiveError } from './errors.js';
import type { BuildEvent, EventSink, Level, Ui } from './ui.js';
import { JsonSink } from './render/json.js';
import { ListrSink } from './render/listr.js';
import { MachineReadableSink } from './render/machine.js';
import { PlainSink } from './render/plain.js';

export { NonInteractiveError };

export function makeUi(build: string, sink: EventSink): Ui {
  const partial = new Map<string, string>();
  const message = (level: Level, text: string): void =>
    sink.emit({ type: 'message', build, level, text, time: Date.now() });
  const emitLine = (source: string, stream: 'stdout' | 'stderr', line: string): void =>
    sink.emit({ type: 'output', build, source, stream, line: line.replace(/\r$/, ''), time: Date.now() });
  return {
    build,
    say: (text) => message('say', text),
    message: (text) => message('message', text),
    warn: (text) => message('warn', text),
    error: (text) => message('error', text),
    output(source, stream, chunk) {
      const key = `${stream}\u0000${source}`;
      const lines = ((partial.get(key) ?? '') + chunk).split('\n');
      partial.set(key, lines.pop() ?? '');
      for (const line of lines) emitLine(source, stream, line);
    },
    flush() {
      for (const [key, rest] of partial) {
        if (rest === '') continue;
        const [stream, source] = key.split('\u0000') as ['stdout' | 'stderr', string];
        emitLine(source, stream, rest);
      }
      partial.clear();
    },
    ask(question) {
      if (!sink.ask) return Promise.reject(new NonInteractiveError(question));
      return sink.ask(build, question);
    },
    emit: (event) => sink.emit(event),
  };
}

/**
 * Replaces every sensitive value with `<sensitive>` in every string of every event before
 * forwarding, longest value first so a value containing another is not half-scrubbed.
 */
export function makeScrubber(sensitiveValues: readonly string[]): (text: string) => string {
  const secrets = [...new Set(sensitiveValues.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('<sensitive>');
    return out;
  };
}

export class ScrubbingSink implements EventSink {
  readonly scrub: (text: string) => string;
  readonly ask?: (build: string, question: string) => Promise<string>;

  constructor(
    private readonly inner: EventSink,
    sensitiveValues: readonly string[],
  ) {
    this.scrub = makeScrubber(sensitiveValues);
    const innerAsk = inner.ask?.bind(inner);
    if (innerAsk) this.ask = (build, question) => innerAsk(build, this.scrub(question));
  }

  emit(event: BuildEvent): void {
    this.inner.emit(this.scrubValue(event) as BuildEvent);
  }

  close(): Promise<void> {
    return this.inner.close ? this.inner.close() : Promise.resolve();
  }

  private scrubValue(v: unknown): unknown {
    if (typeof v === 'string') return this.scrub(v);
    if (Array.isArray(v)) return v.map((x) => this.scrubValue(x));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.scrubValue(x);
      return out;
    }
    return v;
  }
}

export type SinkMode = 'auto' | 'plain' | 'machine-readable' | 'json' | 'listr2';

export interface SinkOptions {
  /** Display names of the builds about to run (listr2 creates one task per build). */
  builds: readonly string[];
  /** Default: on when `out` is a TTY and NO_COLOR is unset. -color=false turns it off. */
  color?: boolean;
  /** -timestamp-ui */
  timestamps?: boolean;
  out?: Writable & { isTTY?: boolean };
  /** Answers for ask(); default process.stdin when it is a TTY and CI is not "true". */
  input?: Readable | null;
  /** Values to scrub; when given the sink is wrapped in a ScrubbingSink. */
  sensitiveValues?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * The renderer for a mode. `auto` and `listr2` give listr2 on a TTY and plain lines when
 * not a TTY or CI=true; call close() after the builds to print the artifact summary.
 */
export function createSink(mode: SinkMode, opts: SinkOptions): EventSink {
  const env = opts.env ?? process.env;
  const out = opts.out ?? process.stdout;
  const tty = out.isTTY === true && env['CI'] !== 'true';
  const color = opts.color ?? (out.isTTY === true && env['NO_COLOR'] === undefined);
  const stdinTty = (process.stdin as { isTTY?: boolean }).isTTY === true;
  const input = opts.input !== undefined ? opts.input : stdinTty && env['CI'] !== 'true' ? process.stdin : null;
  let sink: EventSink;
  switch (mode) {
    case 'json':
      sink = new JsonSink(out);
      break;
    case 'machine-readable':
      sink = new MachineReadableSink(out);
      break;
    case 'plain':
      sink = new PlainSink({ out, color, timestamps: opts.timestamps ?? false, input });
      break;
    case 'auto':
    case 'listr2':
      sink = tty
        ? new ListrSink({ builds: opts.builds, out, color, input })
        : new PlainSink({ out, color, timestamps: opts.timestamps ?? false, input });
      break;
  }
  return opts.sensitiveValues && opts.sensitiveValues.length > 0
    ? new ScrubbingSink(sink, opts.sensitiveValues)
    : sink;
}

/** Collects events in memory: for tests and for callers that render later. */
export class MemorySink implements EventSink {
  readonly events: BuildEvent[] = [];
  readonly ask?: (build: string, question: string) => Promise<string>;
  readonly questions: string[] = [];

  constructor(answers?: string[] | ((question: string) => string)) {
    if (answers !== undefined) {
      this.ask = (_build, question) => {
        this.questions.push(question);
        const a = typeof answers === 'function' ? answers(question) : (answers.shift() ?? '');
        return Promise.resolve(a);
      };
    }
  }

  emit(event: BuildEvent): void {
    this.events.push(event);
  }

  of<T extends BuildEvent['type']>(type: T): Extract<BuildEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<BuildEvent, { type: T }> => e.type === type);
  }
}
