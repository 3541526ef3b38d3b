// Go's time.ParseDuration, as Packer reads pause_before and timeout: "10s", "1m30s", "1.5h".
// One parser serves the whole project (src/core/duration.ts); the plan holds whole ms.
import { tryParseDuration } from '../core/duration.js';

/** Whole milliseconds, or null when the text is not a Go duration. */
export function parseGoDuration(text: string): number | null {
  const ms = tryParseDuration(text);
  return ms === null ? null : Math.round(ms);
}
