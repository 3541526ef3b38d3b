// NDJSON: one event per line, exactly the typed BuildEvent, for programs.
import type { Writable } from 'node:stream';
import type { BuildEvent, EventSink } from '../ui.js';

export class JsonSink implements EventSink {
  constructor(private readonly out: Writable) {}

  emit(event: BuildEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
