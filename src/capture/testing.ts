// Test helpers: pcap files and tcpdump, to check filters with the real libpcap.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** LINKTYPE_* numbers for pcap file headers. */
export const PCAP_LINKTYPE = { ethernet: 1, raw: 101, sll: 113, sll2: 276, null: 0 } as const;

export function writePcap(linktype: number, frames: readonly Uint8Array[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(linktype, 20);
  const parts = [header];
  frames.forEach((f, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    parts.push(rec, Buffer.from(f));
  });
  return Buffer.concat(parts);
}

export function readPcap(file: Buffer): Uint8Array[] {
  if (file.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('expected a little-endian microsecond pcap file');
  const frames: Uint8Array[] = [];
  for (let o = 24; o + 16 <= file.length;) {
    const len = file.readUInt32LE(o + 8);
    frames.push(Uint8Array.from(file.subarray(o + 16, o + 16 + len)));
    o += 16 + len;
  }
  return frames;
}

/** Whether tcpdump can be run; in CI its absence is a failure, elsewhere a reason to skip. */
export function tcpdumpMissing(): string | false {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (!r.error) return false;
  if (process.env['CI'] === 'true') throw new Error(`tcpdump is required in CI: ${r.error.message}`);
  return 'tcpdump is not installed (apt-get install tcpdump); skipping the libpcap checks';
}

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-pcap-'));
  try { return fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** Compiles `filter` with libpcap for a link type (tcpdump -d on an empty file); returns the BPF or throws with tcpdump's error. */
export function compileFilter(linktype: number, filter: string): string {
  return withDir((dir) => {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, writePcap(linktype, []));
    const r = spawnSync('tcpdump', ['-d', '-r', empty, filter], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`libpcap refused the filter: ${r.stderr.trim()}\n${filter}`);
    return r.stdout;
  });
}

/** Runs frames through libpcap's compiled filter (tcpdump -r … -w …) and returns the indexes that passed. */
export function framesPassing(linktype: number, frames: readonly Uint8Array[], filter: string): number[] {
  return withDir((dir) => {
    const input = join(dir, 'in.pcap');
    const output = join(dir, 'out.pcap');
    writeFileSync(input, writePcap(linktype, frames));
    const r = spawnSync('tcpdump', ['-Z', 'root', '-r', input, '-w', output, filter], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tcpdump failed: ${r.stderr.trim()}\n${filter}`);
    const keys = new Map(frames.map((f, i) => [Buffer.from(f).toString('hex'), i]));
    return readPcap(readFileSync(output)).map((f) => keys.get(Buffer.from(f).toString('hex'))!);
  });
}
