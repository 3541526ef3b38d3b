import type { Writable } from 'node:stream';

/** Waits for 'drain', or 'close' (a failed stream closes and never drains). */
export function drain(ws: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      ws.off('drain', done);
      ws.off('close', done);
      resolve();
    };
    ws.on('drain', done);
    ws.on('close', done);
  });
}
