// Lines of a child's output, each stamped with the wall-clock time its chunk
// arrived. Stamping happens first thing in the 'data' handler, so the bias is
// the pipe and the event loop, the same for every daemon measured.
import type { Readable } from 'node:stream';
import type { WallClock } from './wall-clock.js';

export function onTimedLines(stream: Readable, clock: WallClock, onLine: (line: string, at: number) => void): void {
  let partial = '';
  stream.on('data', (chunk: Buffer | string) => {
    const at = clock.now();
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) onLine(p.replace(/\r$/, ''), at);
  });
}
