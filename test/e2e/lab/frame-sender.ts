// Sends a pool of raw Ethernet frames (frames.ts) out of a namespace's
// interface through an AF_PACKET socket, so nothing in the sender's own
// stack checks, fixes or fragments them, and any source address goes. Node
// has no packet sockets; python3 (in scripts/setup.sh's list) does, so the
// sender is a short python program run with argv, like tcp.ts's node ones.
// Always bounded: at most COUNT frames and SECONDS seconds, paced to RATE
// frames per second (0: as fast as it can).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../lab.js';
import { encodePool } from './frames.js';
import { formatResult } from './run.js';

// argv: IFACE POOL_FILE COUNT SECONDS RATE. Prints one JSON line.
export const FRAME_SENDER = `
import json, socket, struct, sys, time
iface, pool, count, seconds, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
data = open(pool, 'rb').read()
frames, i = [], 0
while i < len(data):
    n = struct.unpack_from('>H', data, i)[0]
    frames.append(data[i + 2:i + 2 + n])
    i += 2 + n
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
sent = errors = 0
errs = {}
t0 = time.monotonic()
while sent < count:
    elapsed = time.monotonic() - t0
    if elapsed >= seconds:
        break
    quota = min(count, int(rate * elapsed) + 1) if rate > 0 else count
    burst = 0
    while sent < quota and burst < 256:
        try:
            s.send(frames[sent % len(frames)])
        except OSError as e:
            errors += 1
            errs[e.strerror] = errs.get(e.strerror, 0) + 1
        sent += 1
        burst += 1
    if sent >= quota:
        time.sleep(0.001)
print(json.dumps({'sent': sent, 'errors': errors, 'why': errs, 'seconds': round(time.monotonic() - t0, 3)}))
`;

export interface SendResult {
  /** Frames handed to the socket (including those it refused). */
  readonly sent: number;
  /** Sends the kernel refused (e.g. a frame too short for the device), by strerror. */
  readonly errors: number;
  readonly why: Readonly<Record<string, number>>;
  readonly seconds: number;
}

export interface SendSpec {
  readonly count: number;
  readonly seconds: number;
  /** Frames per second; 0 for as fast as python goes. */
  readonly rate: number;
}

let pools = 0;

/** Sends `frames` (cycled) from `role`'s eth0 until spec.count or spec.seconds. */
export async function sendFrames(lab: Lab, role: string, frames: readonly Buffer[], spec: SendSpec): Promise<SendResult> {
  const file = join(lab.tmp, `frames-${++pools}.pool`);
  writeFileSync(file, encodePool(frames));
  const r = await lab.exec(role, ['python3', '-c', FRAME_SENDER, 'eth0', file, String(spec.count), String(spec.seconds), String(spec.rate)], {
    timeoutMs: spec.seconds * 1000 + 30_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !line.startsWith('{')) throw new Error(`frame sender failed: ${formatResult(r)}`);
  return JSON.parse(line) as SendResult;
}

// argv: HOST PORT COUNT SEED. UDP datagrams of 1,473 to 65,507 bytes (the
// IPv4 maximum): the sender's kernel fragments them, so the server sees IP
// fragments whose first one claims far more than it carries. One every 60 ms,
// under the kernel's per-source SPA rate limit (SPA_Rate_Limit, 20/s), so the
// server's stack hands every reassembled datagram to a bound SPA socket.
export const OVERSIZE_SENDER = `
const s = require('node:dgram').createSocket('udp4');
const [host, port, count, seed] = process.argv.slice(1).map((v, i) => i === 0 ? v : Number(v));
let x = seed >>> 0 || 1, sent = 0, errors = 0;
const rnd = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>>= 0); };
const next = () => {
  if (sent === count) { s.close(); console.log(JSON.stringify({ sent, errors })); return; }
  const n = sent === 0 ? 65507 : 1473 + (rnd() % (65507 - 1473));
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE(rnd(), i > n - 4 ? n - 4 : i);
  sent++;
  s.send(b, port, host, (err) => { if (err) errors++; setTimeout(next, 60); });
};
next();
`;

export async function sendOversized(lab: Lab, role: string, port: number, count: number, seed: number): Promise<{ sent: number; errors: number }> {
  const r = await lab.exec(role, [process.execPath, '-e', OVERSIZE_SENDER, lab.server.ip4, String(port), String(count), String(seed)], { timeoutMs: 60_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !line.startsWith('{')) throw new Error(`oversize sender failed: ${formatResult(r)}`);
  return JSON.parse(line) as { sent: number; errors: number };
}
