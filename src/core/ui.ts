// Every message a build produces is a typed event sent to one renderer (listr2 in a
// terminal, plain lines, Packer's -machine-readable, or NDJSON). Library code never writes
// to the console; it gets a Ui bound to its build and emits through it. Sensitive values
// are scrubbed by the event sink before any renderer sees them.

export type Level = 'say' | 'message' | 'warn' | 'error';

export type BuildEvent =
  | { type: 'build-start'; build: string; time: number }
  | { type: 'step-start'; build: string; step: string; time: number }
  | {
      type: 'step-end';
      build: string;
      step: string;
      time: number;
      durationMs: number;
      ok: boolean;
      /** Set by cached steps: true when the result was reused and nothing ran. */
      cached?: boolean;
      cacheKey?: string;
    }
  | { type: 'output'; build: string; source: string; stream: 'stdout' | 'stderr'; line: string; time: number }
  | { type: 'message'; build: string; level: Level; text: string; time: number }
  | {
      type: 'artifact';
      build: string;
      builderId: string;
      id: string;
      files: string[];
      description: string;
      index: number;
      time: number;
    }
  | { type: 'build-end'; build: string; ok: boolean; error?: string; cancelled?: boolean; time: number }
  | { type: 'cleanup'; build: string; step: string; ok: boolean; error?: string; time: number };

export type EventOf<T extends BuildEvent['type']> = Extract<BuildEvent, { type: T }>;

/** Receives every event; renderers implement this. */
export interface EventSink {
  emit(event: BuildEvent): void;
  /** For interactive pauses (-debug, breakpoint, -on-error=ask); resolves with the answer line. */
  ask?(build: string, question: string): Promise<string>;
  /** Flush and stop (listr2 needs to close its task list). */
  close?(): Promise<void>;
}

/** What a step or plugin uses to talk to the user, bound to one build. */
export interface Ui {
  readonly build: string;
  /** A headline ("==> name: Creating container..."). */
  say(text: string): void;
  /** A detail line under the current headline. */
  message(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  /** Output of a remote command, split into lines by the Ui. */
  output(source: string, stream: 'stdout' | 'stderr', chunk: string): void;
  /** Flushes any partial output line. */
  flush(): void;
  ask(question: string): Promise<string>;
  emit(event: BuildEvent): void;
}
