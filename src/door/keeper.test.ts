// The knock state machine against knockd 0.8's semantics table
// (shared/research/knockd.md §2) and a regression test for each knockd bug.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Door, Options } from '../config/model.js';
import type { Packet } from '../packet/packet.js';
import type { DoorEvent } from './events.js';
import { Doorkeeper } from './keeper.js';
import { door, options, ping, SERVER, tcp, udp } from './testing.js';

const C1 = '192.0.2.10';
const C2 = '192.0.2.11';

class Run {
  readonly keeper: Doorkeeper;
  readonly events: DoorEvent[] = [];
  now = 1_000_000;
  constructor(doors: Door[], opts: Partial<Options> = {}) {
    this.keeper = new Doorkeeper(doors, options(opts));
    this.keeper.setLocalAddresses([SERVER, '2001:db8::1']);
  }
  send(p: Packet, afterMs = 0) {
    this.tick(afterMs);
    return this.keeper.onPacket(p, this.now, (e) => this.events.push(e));
  }
  /** Advances time, firing expiry the way the daemon's timer does. */
  tick(ms: number) {
    const end = this.now + ms;
    for (let at = this.keeper.nextDeadline(); at !== undefined && at <= end; at = this.keeper.nextDeadline()) {
      this.now = at;
      this.keeper.expire(at, (e) => this.events.push(e));
    }
    this.now = end;
  }
  opens(src?: string) {
    return this.events.filter((e) => e.kind === 'open' && (src === undefined || e.src === src)).map((e) => (e as { door: Door }).door.name);
  }
  kinds() {
    return this.events.map((e) => e.kind + ('stage' in e && e.kind === 'stage' ? e.stage : ''));
  }
}

const ssh = () => door('openSSH', '7000,8000,9000', { seqTimeoutMs: 5000, tcpFlags: [{ flag: 'syn', set: true }] });

describe('knockd semantics kept', () => {
  it('opens on the right sequence, logging each stage', () => {
    const r = new Run([ssh()]);
    for (const p of [7000, 8000, 9000]) r.send(tcp(C1, p));
    assert.deepEqual(r.kinds(), ['stage1', 'stage2', 'stage3', 'open']);
    assert.deepEqual(r.opens(C1), ['openSSH']);
    assert.equal(r.keeper.stats().attempts, 0);
  });

  it('a knock on another door\'s port kills the attempt', () => {
    const r = new Run([ssh(), door('other', '3333')]);
    for (const p of [7000, 3333, 8000, 9000]) r.send(tcp(C1, p));
    assert.deepEqual(r.opens(C1), ['other']);
    assert.ok(r.events.some((e) => e.kind === 'fail' && e.reason === 'wrong-knock'));
  });

  it('with decoys off, a port outside every sequence is ignored (knockd: its BPF hides it)', () => {
    const r = new Run([ssh()]);
    for (const p of [7000, 1234, 8000, 9000]) r.send(tcp(C1, p));
    assert.deepEqual(r.opens(), ['openSSH']);
  });

  it('packets with the wrong TCP flags are ignored, neither advancing nor resetting', () => {
    const d = door('d', '7000,8000,9000', { tcpFlags: [{ flag: 'syn', set: true }, { flag: 'ack', set: false }] });
    const r = new Run([d]);
    r.send(tcp(C1, 7000, 'S'));
    r.send(tcp(C1, 8000, 'A'));
    r.send(tcp(C1, 8000, 'SA'));
    r.send(tcp(C1, 8000, 'S'));
    r.send(tcp(C1, 9000, 'S'));
    assert.deepEqual(r.opens(), ['d']);
  });

  it('repeated ports in a sequence work', () => {
    const r = new Run([door('d', '7000,7000,8000'), door('u', '15637:udp,15637:udp')]);
    for (const p of [7000, 7000, 8000]) r.send(tcp(C1, p));
    r.send(udp(C2, 15637));
    r.send(udp(C2, 15637));
    assert.deepEqual(r.opens(C1), ['d']);
    assert.deepEqual(r.opens(C2), ['u']);
  });

  it('a single-step door opens on every matching packet (no cooldown by default)', () => {
    const r = new Run([door('mc', '19132:udp')]);
    for (let i = 0; i < 5; i++) r.send(udp(C1, 19132));
    assert.equal(r.opens().length, 5);
  });

  it('seq_timeout runs from the first knock', () => {
    const r = new Run([ssh()]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 8000), 3000);
    r.send(tcp(C1, 9000), 3000);
    assert.deepEqual(r.opens(), []);
    const timeout = r.events.find((e) => e.kind === 'timeout');
    assert.ok(timeout && timeout.kind === 'timeout' && timeout.stage === 2);
  });

  it('a knock exactly seq_timeout after the first is late (knockd: elapsed >= timeout)', () => {
    const r = new Run([door('d', '7000,8000', { seqTimeoutMs: 5000 })]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 8000), 4999);
    assert.deepEqual(r.opens(), ['d']);
    r.send(tcp(C1, 7000), 10);
    r.send(tcp(C1, 8000), 5000);
    assert.deepEqual(r.opens(), ['d']);
  });

  it('the whole sequence can be repeated right after an open', () => {
    const r = new Run([ssh()]);
    for (let i = 0; i < 2; i++) for (const p of [7000, 8000, 9000]) r.send(tcp(C1, p));
    assert.deepEqual(r.opens(), ['openSSH', 'openSSH']);
  });

  it('IPv6 sources knock the same way', () => {
    const r = new Run([ssh()]);
    for (const p of [7000, 8000, 9000]) r.send(tcp('2001:db8::99', p, 'S', '2001:db8::1'));
    assert.deepEqual(r.opens('2001:db8::99'), ['openSSH']);
    const open = r.events.find((e) => e.kind === 'open');
    assert.ok(open && open.kind === 'open' && open.family === 6);
  });

  it('only packets to this host (or the door\'s Target) count', () => {
    const wake = door('wake', '22', { target: '192.0.2.50' });
    const r = new Run([ssh(), wake]);
    for (const p of [7000, 8000, 9000]) r.send(tcp(C1, p, 'S', '198.51.100.7'));
    assert.deepEqual(r.opens(), []);
    r.send(tcp(C1, 22, 'S', '192.0.2.50'));
    r.send(tcp(C1, 22, 'S', SERVER));
    assert.deepEqual(r.opens(), ['wake']);
  });
});

describe('knockd bugs fixed', () => {
  it('one source\'s progress never affects another\'s (knockd dropped every attempt when the oldest was purged)', () => {
    const r = new Run([ssh()]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C2, 7000));
    r.send(tcp(C1, 8000));
    r.send(tcp(C1, 9000));
    r.send(tcp(C2, 8000));
    r.send(tcp(C2, 9000));
    assert.deepEqual(r.opens(C1), ['openSSH']);
    assert.deepEqual(r.opens(C2), ['openSSH']);
  });

  it('two doors sharing a first port both work', () => {
    const a = door('A', '7000,8001,9001');
    const b = door('B', '7000,8002,9002');
    const r = new Run([a, b]);
    for (const p of [7000, 8002, 9002]) r.send(tcp(C1, p));
    assert.deepEqual(r.opens(), ['B']);
    for (const p of [7000, 8001, 9001]) r.send(tcp(C1, p));
    assert.deepEqual(r.opens(), ['B', 'A']);
  });

  it('timeouts fire on time, not at the next packet', () => {
    const r = new Run([ssh()]);
    r.send(tcp(C1, 7000));
    const started = r.now;
    assert.equal(r.keeper.nextDeadline(), started + 5000);
    r.tick(4999);
    assert.equal(r.events.filter((e) => e.kind === 'timeout').length, 0);
    r.tick(1);
    assert.equal(r.events.filter((e) => e.kind === 'timeout').length, 1);
    assert.equal(r.now, started + 5000);
    assert.equal(r.keeper.stats().attempts, 0);
  });

  it('a knock that kills an attempt but is a valid first step starts a new attempt', () => {
    const r = new Run([ssh(), door('Y', '6000,6001')]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 6000));
    r.send(tcp(C1, 6001));
    assert.deepEqual(r.opens(), ['Y']);
    // A retransmitted first knock restarts the sequence instead of killing it for good.
    for (const p of [7000, 7000, 8000, 9000]) r.send(tcp(C2, p));
    assert.deepEqual(r.opens(C2), ['openSSH']);
  });
});

describe('new door options', () => {
  it('allow_duplicates tolerates a repeat of the stage just matched', () => {
    const r = new Run([door('d', '7000,8000,9000', { allowDuplicates: true })]);
    for (const p of [7000, 7000, 8000, 8000, 9000]) r.send(tcp(C1, p));
    assert.deepEqual(r.opens(), ['d']);
    const strict = new Run([door('d', '7000,8000,9000')]);
    for (const p of [7000, 8000, 8000, 9000]) strict.send(tcp(C1, p));
    assert.deepEqual(strict.opens(), []);
  });

  it('cooldown ignores the source on that door for a while after an open', () => {
    const r = new Run([door('mc', '19132:udp', { cooldownMs: 10_000 })]);
    r.send(udp(C1, 19132));
    r.send(udp(C1, 19132), 1000);
    r.send(udp(C2, 19132));
    assert.deepEqual(r.opens(), ['mc', 'mc']);
    r.send(udp(C1, 19132), 9000);
    assert.equal(r.opens(C1).length, 2);
  });

  it('ICMP and payload steps: ordinary pings and datagrams without the payload are ignored', () => {
    const d = door('p', '7000', {
      sequence: [{ proto: 'icmp', port: 0, payload: Buffer.from('s3cret') }, { proto: 'udp', port: 5000, payload: Buffer.from('knock') }],
    });
    const r = new Run([d]);
    r.send(ping(C1, 'abcdefgh'));
    assert.equal(r.keeper.stats().attempts, 0);
    r.send(ping(C1, '\x00\x01timestamp..s3crets3cret'));
    r.send(udp(C1, 5000, 'hello'));
    assert.deepEqual(r.opens(), []);
    r.send(udp(C1, 5000, 'xxknockxx'));
    assert.deepEqual(r.opens(), ['p']);
  });
});

describe('knock gaps (knock_min_gap, knock_max_gap)', () => {
  const gapped = (overrides: Partial<Door> = {}) =>
    door('g', '7000,8000,9000', { seqTimeoutMs: 25_000, knockMinGapMs: 1000, knockMaxGapMs: 3000, ...overrides });
  const fails = (r: Run) => r.events.filter((e) => e.kind === 'fail').map((e) => (e as { reason: string }).reason);

  it('each knock between the minimum and the maximum after the previous one opens', () => {
    const r = new Run([gapped()]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 8000), 1000); // exactly the minimum is in time
    r.send(tcp(C1, 9000), 2999);
    assert.deepEqual(r.opens(), ['g']);
  });

  it('a next step sooner than the minimum fails the attempt as too soon, and counts as a failure', () => {
    const r = new Run([gapped()], { failureLimit: 1 });
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 8000), 999);
    r.send(tcp(C1, 9000), 1500);
    assert.deepEqual(r.opens(), []);
    assert.deepEqual(fails(r), ['too-soon']);
    assert.ok(r.events.some((e) => e.kind === 'ban' && e.src === C1));
  });

  it('a knock later than the maximum times the attempt out, lazily at the packet', () => {
    const r = new Run([gapped()]);
    r.send(tcp(C1, 7000));
    r.keeper.onPacket(tcp(C1, 8000), r.now + 3000, (e) => r.events.push(e)); // no timer ran
    assert.deepEqual(r.kinds(), ['stage1', 'timeout']);
    assert.deepEqual(r.opens(), []);
  });

  it('the gap timeout fires on time from the last knock, before seq_timeout', () => {
    const r = new Run([gapped()]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 8000), 2000);
    assert.equal(r.keeper.nextDeadline(), r.now + 3000);
    r.tick(2999);
    assert.equal(r.events.filter((e) => e.kind === 'timeout').length, 0);
    r.tick(1);
    const timeout = r.events.find((e) => e.kind === 'timeout');
    assert.ok(timeout && timeout.kind === 'timeout' && timeout.stage === 2);
    assert.equal(r.keeper.stats().attempts, 0);
  });

  it('attempts time out in last-knock order, which is not their start order', () => {
    const r = new Run([gapped({ knockMinGapMs: 0, knockMaxGapMs: 5000 })]);
    const t0 = r.now;
    r.send(tcp(C1, 7000));
    r.send(tcp(C2, 7000), 1000);
    r.send(tcp(C1, 8000), 2000); // C1 started first but knocked last
    assert.equal(r.keeper.nextDeadline(), t0 + 1000 + 5000, 'C2: its only knock at 1 s, plus the 5 s gap');
    r.tick(3000);
    assert.deepEqual(r.events.filter((e) => e.kind === 'timeout').map((e) => e.src), [C2]);
    r.tick(2000);
    assert.deepEqual(r.events.filter((e) => e.kind === 'timeout').map((e) => e.src), [C2, C1]);
  });

  it('seq_timeout still bounds the whole sequence', () => {
    const r = new Run([gapped({ seqTimeoutMs: 5000 })]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 8000), 2500);
    r.send(tcp(C1, 9000), 2500);
    assert.deepEqual(r.opens(), []);
  });

  it('same-port knocking: the third SYN to the service port, each 1 to 3 s after the previous, opens', () => {
    const ssh22 = door('ssh', '22,22,22', { knockMinGapMs: 1000, knockMaxGapMs: 3000, seqTimeoutMs: 10_000 });
    const r = new Run([ssh22]);
    r.send(tcp(C1, 22));
    r.send(tcp(C1, 22), 500); // too soon: fails, and starts again as a first knock
    assert.deepEqual(r.kinds(), ['stage1', 'fail', 'stage1']);
    r.send(tcp(C1, 22), 1500);
    r.send(tcp(C1, 22), 1500);
    assert.deepEqual(r.opens(), ['ssh']);
    // A client that only retries every 4 s never gets in.
    const slow = new Run([ssh22]);
    for (let i = 0; i < 6; i++) slow.send(tcp(C1, 22), 4000);
    assert.deepEqual(slow.opens(), []);
  });

  it('with allow_duplicates, a repeat of the stage just matched is ignored even when too soon', () => {
    const r = new Run([gapped({ allowDuplicates: true })]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 7000), 200);
    r.send(tcp(C1, 8000), 1000);
    r.send(tcp(C1, 9000), 1000);
    assert.deepEqual(r.opens(), ['g']);
  });

  it('a reload of an unchanged door keeps each attempt\'s last knock; changing a gap drops them', () => {
    const r = new Run([gapped()]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 8000), 2000);
    const deadline = r.keeper.nextDeadline();
    r.keeper.reconfigure([door('x', '5000'), gapped()], options());
    assert.equal(r.keeper.nextDeadline(), deadline);
    r.send(tcp(C1, 9000), 500);
    assert.deepEqual(r.opens(), [], 'still too soon after the reload');
    r.send(tcp(C2, 7000));
    r.keeper.reconfigure([gapped({ knockMaxGapMs: 4000 })], options());
    assert.equal(r.keeper.stats().attempts, 0);
  });
});

describe('sweep resistance and floods', () => {
  function shuffledPorts(seed: number): number[] {
    const ports = Array.from({ length: 65535 }, (_, i) => i + 1);
    let s = seed >>> 0;
    for (let i = ports.length - 1; i > 0; i--) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const j = s % (i + 1);
      [ports[i], ports[j]] = [ports[j]!, ports[i]!];
    }
    return ports;
  }

  it('a decoy hit fails the attempt and counts against the source', () => {
    const r = new Run([ssh()], { decoys: { mode: 'auto' } });
    for (const p of [7000, 1234, 8000, 9000]) r.send(tcp(C1, p));
    assert.deepEqual(r.opens(), []);
    assert.ok(r.events.some((e) => e.kind === 'fail' && e.reason === 'decoy' && e.port === 1234));
  });

  it('served ports are not decoys: talking to the web server mid-knock is fine', () => {
    const r = new Run([ssh()], { decoys: { mode: 'auto' } });
    r.keeper.setHostPorts({ tcp: [80, 443], udp: [], ephemeral: { from: 32768, to: 60999 } });
    for (const p of [7000, 443, 8000, 80, 9000]) r.send(tcp(C1, p));
    assert.deepEqual(r.opens(), ['openSSH']);
  });

  it('FIN, NULL and Xmas probes to decoys count too; established traffic (ACK) does not', () => {
    const d = door('fin', '2001,2002,2003', { tcpFlags: [{ flag: 'fin', set: true }, { flag: 'ack', set: false }] });
    const r = new Run([d], { decoys: { mode: 'auto' } });
    r.send(tcp(C1, 2001, 'F'));
    r.send(tcp(C1, 3000, 'A'));
    r.send(tcp(C1, 2002, 'F'));
    r.send(tcp(C1, 4000, 'FPU'));
    assert.ok(r.events.some((e) => e.kind === 'fail' && e.reason === 'decoy' && e.port === 4000));
  });

  it('two full-port scans in random order never open a door (they opened knockd\'s)', () => {
    const doors = [ssh(), door('closeSSH', '9000,8000,7000', { seqTimeoutMs: 5000 }), door('https', '12345,54321,24680,13579', { seqTimeoutMs: 5000 })];
    for (const seed of [1, 2, 3, 4]) {
      const r = new Run(doors, { decoys: { mode: 'auto' } });
      r.keeper.setHostPorts({ tcp: [22, 80], udp: [], ephemeral: { from: 32768, to: 60999 } });
      for (const pass of [seed, seed + 100]) for (const p of shuffledPorts(pass)) r.send(tcp(C1, p), 0.01);
      assert.deepEqual(r.opens(), [], `seed ${seed}`);
      assert.ok(r.events.some((e) => e.kind === 'ban'));
    }
  });

  it('a source that keeps failing is ignored for BanTime, then forgiven', () => {
    const r = new Run([ssh()], { decoys: { mode: 'auto' }, failureLimit: 3, banMs: 60_000 });
    for (const p of [1, 2, 3]) r.send(tcp(C1, p));
    assert.ok(r.events.some((e) => e.kind === 'ban' && e.src === C1));
    assert.equal(r.send(tcp(C1, 7000)), 'banned');
    assert.equal(r.keeper.stats().attempts, 0);
    r.tick(60_000);
    for (const p of [7000, 8000, 9000]) r.send(tcp(C1, p));
    assert.deepEqual(r.opens(C1), ['openSSH']);
  });

  it('the attempt table is bounded, evicting the oldest', () => {
    const r = new Run([ssh()], { maxAttempts: 100 });
    for (let i = 0; i < 1000; i++) r.send(tcp(`10.9.${i >> 8}.${i & 255}`, 7000));
    assert.equal(r.keeper.stats().attempts, 100);
    assert.equal(r.events.filter((e) => e.kind === 'evict').length, 900);
    // The newest attempts survive and can still complete.
    r.send(tcp('10.9.3.231', 8000));
    r.send(tcp('10.9.3.231', 9000));
    assert.deepEqual(r.opens(), ['openSSH']);
  });

  it('per-packet work does not grow with the number of tracked sources, also when the table is full', () => {
    // A spoofed flood on the first step: every packet starts an attempt, and
    // once the table is full every packet evicts one. Time the flood with a
    // small and a 16 times larger table, both full: O(1) per packet means about
    // the same time (the larger table misses the CPU caches more, hence the slack);
    // a search for the oldest entry that grows with the table would be 5-50x slower.
    const spoofed = (i: number) => tcp(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 7000);
    const flood = (maxAttempts: number) => {
      const r = new Run([ssh()], { maxAttempts, decoys: { mode: 'auto' } });
      const emit = () => undefined;
      let i = 0;
      for (; i < maxAttempts * 2; i++) r.keeper.onPacket(spoofed(i), r.now, emit);
      const t0 = process.hrtime.bigint();
      for (const end = i + 40_000; i < end; i++) {
        r.keeper.onPacket(spoofed(i), r.now, emit);
        r.keeper.nextDeadline();
      }
      assert.equal(r.keeper.stats().attempts, maxAttempts);
      return Number(process.hrtime.bigint() - t0);
    };
    flood(4096); // warm up the JIT
    // Interleaved, best of three each: other tests may share the CPU.
    let small = Infinity;
    let large = Infinity;
    for (let round = 0; round < 3; round++) {
      small = Math.min(small, flood(4096));
      large = Math.min(large, flood(65_536));
    }
    assert.ok(large < small * 3, `40k flood packets took ${large / 1e6} ms with 65,536 attempts vs ${small / 1e6} ms with 4,096`);
  });

  it('a full table evicts stage-1 attempts first: a spoofed flood cannot push out a client that got further', () => {
    const r = new Run([ssh()], { maxAttempts: 100 });
    r.send(tcp(C1, 7000));
    r.send(tcp(C1, 8000)); // stage 2
    for (let i = 0; i < 1000; i++) r.send(tcp(`10.9.${i >> 8}.${i & 255}`, 7000));
    assert.equal(r.keeper.stats().attempts, 100);
    assert.ok(!r.events.some((e) => e.kind === 'evict' && e.src === C1));
    r.send(tcp(C1, 9000));
    assert.deepEqual(r.opens(C1), ['openSSH']);
  });

  it('a table full of advanced attempts evicts the oldest of them', () => {
    const r = new Run([ssh(), door('b', '6000,6001,6002', { seqTimeoutMs: 5000 })], { maxAttempts: 3 });
    r.send(tcp(C1, 7000), 1); r.send(tcp(C1, 8000));
    r.send(tcp(C2, 6000), 1); r.send(tcp(C2, 6001));
    r.send(tcp('192.0.2.12', 7000), 1); r.send(tcp('192.0.2.12', 8000));
    r.send(tcp('192.0.2.13', 6000), 1);
    const evicted = r.events.filter((e) => e.kind === 'evict').map((e) => e.src);
    assert.deepEqual(evicted, [C1]);
    assert.equal(r.keeper.stats().attempts, 3);
  });
});

describe('reload', () => {
  it('keeps in-flight attempts of unchanged doors and drops those of changed ones', () => {
    const r = new Run([ssh(), door('x', '6000,6001,6002')]);
    r.send(tcp(C1, 7000));
    r.send(tcp(C2, 6000));
    r.send(tcp(C2, 6001));
    assert.equal(r.keeper.stats().attempts, 2);
    r.keeper.reconfigure([door('y', '5000'), ssh(), door('x', '6000,6001,6003')], options());
    assert.equal(r.keeper.stats().attempts, 1); // x changed: C2's attempt is gone
    r.send(tcp(C2, 6003));
    r.send(tcp(C1, 8000));
    r.send(tcp(C1, 9000));
    assert.deepEqual(r.opens(C1), ['openSSH']);
    assert.deepEqual(r.opens(C2), []);
});
});
