// Pieces every renderer shares: Packer's duration wording and reading one answer line.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** "1 minute 2 seconds", "350 milliseconds": how Packer reports build times. */
export function humanDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  const units: [string, number][] = [
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
    ['millisecond', 1],
  ];
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.length > 0 ? parts.join(' ') : '0 milliseconds';
}

/** Writes the question and resolves with the next line typed on `input`. */
export function askLine(input: Readable, out: Writable, question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output: out, terminal: false });
    out.write(question.endsWith(' ') || question.endsWith('\n') ? question : `${question} `);
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line.trim());
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

/** Artifacts and results remembered for the end-of-run summary. */
export interface SummaryArtifact {
  build: string;
  builderId: string;
  id: string;
  files: string[];
  description: string;
}
