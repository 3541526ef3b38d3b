// The terminal renderer: one listr2 task per build, its title following the current step
// and the last output lines shown under it; the artifact summary is printed after the task
// list closes. Interactive pauses (ask) are not offered here: the list redraws over a
// prompt, so -debug/-on-error=ask/breakpoints use the plain renderer (see createSink).
import type { Readable, Writable } from 'node:stream';
import type { ListrDefaultRenderer, ListrSimpleRenderer, ListrTaskWrapper } from 'listr2';
import type { BuildEvent, EventSink } from '../ui.js';
import { humanDuration, type SummaryArtifact } from './common.js';

type TaskHandle = ListrTaskWrapper<unknown, ListrDefaultRenderer, ListrSimpleRenderer>;

interface BuildTask {
  handle: TaskHandle | null;
  done: { resolve: () => void; reject: (e: Error) => void } | null;
  pending: BuildEvent[];
  started: number;
  begun: boolean;
}

export interface ListrOptions {
  builds: readonly string[];
  out: Writable;
  color: boolean;
  input: Readable | null;
}

export class ListrSink implements EventSink {
  private readonly tasks = new Map<string, BuildTask>();
  private readonly artifacts: SummaryArtifact[] = [];
  private readonly running: Promise<unknown>;
  private closing = false;

  constructor(private readonly opts: ListrOptions) {
    // listr2 is imported only when a terminal renderer is made, so validate and the plain
    // renderers never load it; events arriving meanwhile wait in each task's queue.
    this.running = import('listr2').then(({ Listr }) => this.start(Listr)).catch(() => undefined);
  }

  private start(Listr: typeof import('listr2').Listr): Promise<unknown> {
    const opts = this.opts;
    const list = new Listr(
      opts.builds.map((build) => ({
        title: build,
        task: (_ctx: unknown, handle: TaskHandle) =>
          new Promise<void>((resolve, reject) => {
            const t = this.taskOf(build);
            t.handle = handle;
            t.done = { resolve, reject };
            for (const e of t.pending.splice(0)) this.apply(t, e);
            if (this.closing) this.finishUnstarted(t, build);
          }),
        rendererOptions: { persistentOutput: true, outputBar: 5 },
      })),
      {
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        rendererOptions: { collapseErrors: false, showErrorMessage: true },
      },
    );
    return list.run();
  }

  emit(e: BuildEvent): void {
    if (e.type === 'artifact') {
      this.artifacts.push({ build: e.build, builderId: e.builderId, id: e.id, files: e.files, description: e.description });
      return;
    }
    const t = this.taskOf(e.build);
    if (t.handle) this.apply(t, e);
    else t.pending.push(e);
  }

  async close(): Promise<void> {
    // Builds that never started (filtered, or the run stopped early) must not hold the list open.
    this.closing = true;
    for (const [build, t] of this.tasks) this.finishUnstarted(t, build);
    await this.running;
    if (this.artifacts.length > 0) {
      this.opts.out.write(`\n==> Builds finished. The artifacts of successful builds are:\n`);
      for (const a of this.artifacts) this.opts.out.write(`--> ${a.build}: ${a.description}\n`);
    }
  }

  private finishUnstarted(t: BuildTask, build: string): void {
    if (!t.begun) t.handle?.skip(`${build}: not run`);
    t.done?.resolve();
  }

  private taskOf(build: string): BuildTask {
    let t = this.tasks.get(build);
    if (!t) {
      t = { handle: null, done: null, pending: [], started: Date.now(), begun: false };
      this.tasks.set(build, t);
    }
    return t;
  }

  private apply(t: BuildTask, e: BuildEvent): void {
    const h = t.handle;
    if (!h) return;
    switch (e.type) {
      case 'build-start':
        t.started = e.time;
        t.begun = true;
        return;
      case 'step-start':
        h.title = `${e.build}: ${e.step}`;
        return;
      case 'step-end':
        if (e.cached) h.output = `${e.step}: using cached result`;
        return;
      case 'message':
        h.output = e.text;
        return;
      case 'output':
        h.output = e.line;
        return;
      case 'cleanup':
        if (!e.ok) h.output = `Error cleaning up "${e.step}": ${e.error ?? ''}`;
        return;
      case 'build-end': {
        const took = humanDuration(e.time - t.started);
        if (e.ok) {
          h.title = `${e.build}: finished after ${took}`;
          t.done?.resolve();
        } else {
          h.title = `${e.build}: errored after ${took}`;
          t.done?.reject(new Error(e.error ?? 'build cancelled'));
        }
        return;
      }
      case 'artifact':
        return;
    }
  }
}
