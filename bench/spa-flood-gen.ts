// The SPA flood generator: one node process in the client namespace that
// sends the payloads of a pool file (one per line) round-robin to the SPA
// port, as fast as it can, until `count` datagrams or `seconds` are reached.
// With RATE > 0 it paces itself to RATE datagrams per second (a quota
// from the elapsed time, sent in batches); RATE 0: as fast as it can.
// Prints one JSON line: {"sent":N,"ms":M,"errors":E}.
//   node spa-flood-gen.js POOL_FILE HOST PORT SECONDS COUNT RATE [SRC]
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

const [poolFile, host, portText, secondsText, countText, rateText, src] = process.argv.slice(2);
if (!poolFile || !host || !portText || !secondsText || !countText || !rateText) {
  console.error('usage: spa-flood-gen.js POOL_FILE HOST PORT SECONDS COUNT RATE [SRC]');
  process.exit(2);
}
const pool = readFileSync(poolFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => Buffer.from(l, 'latin1'));
const port = Number(portText);
const limitMs = Number(secondsText) * 1000;
const count = Number(countText);
const rate = Number(rateText);
const BATCH = 256;

const socket = createSocket('udp4');
let sent = 0;
let errors = 0;
socket.on('error', () => errors++);
socket.bind({ port: 0, ...(src ? { address: src } : {}) }, () => {
  socket.connect(port, host, () => {
    const t0 = performance.now();
    const loop = (): void => {
      const quota = rate > 0 ? Math.min(count, Math.floor((rate * (performance.now() - t0)) / 1000)) : count;
      for (let i = 0; i < BATCH && sent < quota; i++) {
        socket.send(pool[sent % pool.length] as Buffer);
        sent++;
      }
      const elapsed = performance.now() - t0;
      if (sent < count && elapsed < limitMs) {
        if (sent < quota) setImmediate(loop);
        else setTimeout(loop, 1);
        return;
      }
      // Let the last sends leave before closing.
      setTimeout(() => {
        process.stdout.write(`${JSON.stringify({ sent, ms: elapsed, errors })}\n`);
        socket.close();
      }, 50);
    };
    loop();
  });
});
