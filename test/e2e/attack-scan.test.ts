// Attack: port scans. A scanner walking every port in random order hits
// 7000, 8000 and 9000 in that order within seq_timeout sooner or later;
// knockd's capture filter hid every other port, so two full scans opened a
// three-step knockd door. Portcullis treats the ports it does not serve as
// decoys, so the ports between the sequence ports fail the attempt. The test
// turns bans off (BanTime = 0) so that every scan packet reaches the state
// machine (with bans, the scanner would be ignored after its fifth decoy hit
// and the later scans would prove nothing), uses a long seq_timeout (30 s: a
// whole scan fits in one window), and runs three full TCP SYN scans (nmap's
// random port order, a new order each time) and a UDP scan of the ports
// around the SPA port. Pass: no door opens (no OPEN SESAME, no SPA packet
// accepted, no grant in the status report, tcp/22 stays shut), the daemon
// lives, its counters show the scans reached it, and afterwards the
// scanner's own legitimate knock still opens (the scans left no state that
// breaks the door).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, formatResult } from './lab.js';
import { attackScene, KNOCK_DOOR, SPA_PORT } from './lab/attack.js';

const skip = labSkipReason(['nft', 'nmap', 'fwknop']);
const TCP_SCANS = 3;

test(`${TCP_SCANS} full TCP SYN scans in random order and a UDP scan around the SPA port never open a door (bans off)`, { skip, timeout: 150_000 }, async (t) => {
  const s = await attackScene(t, { id: 'at2', clients: ['scanner'], options: ['BanTime = 0'], knock: ['seq_timeout = 30'] });
  const { lab, daemon } = s;
  const before = await s.status();
  const started = Date.now();
  for (let run = 1; run <= TCP_SCANS; run++) {
    // Every port once, at a bounded rate, no retries: 65,535 SYNs per scan.
    const r = await lab.exec('scanner', [
      'nmap', '-Pn', '-n', '-sS', '-T4', '-p', '1-65535', '--max-rate', '20000', '--max-retries', '0', lab.server.ip4,
    ], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, `scan ${run}: ${formatResult(r)}`);
    assert.match(r.stdout, /Nmap done: 1 IP address \(1 host up\)/, `scan ${run} did not reach the server: ${formatResult(r)}`);
  }
  const tcpMs = Date.now() - started;
  // UDP: closed ports answer with rate-limited ICMP, so only a range, at a forced minimum rate.
  const udp = await lab.exec('scanner', [
    'nmap', '-Pn', '-n', '-sU', '-p', `53,67,123,161,500,1194,4500,5353,51820,${SPA_PORT - 200}-${SPA_PORT + 200}`,
    '--max-retries', '0', '--min-rate', '1000', '--max-rate', '5000', lab.server.ip4,
  ], { timeoutMs: 90_000 });
  assert.equal(udp.code, 0, `UDP scan: ${formatResult(udp)}`);
  const scanMs = Date.now() - started;

  assert.ok(daemon.running, `the daemon died under the scans\n${daemon.output()}`);
  assert.equal(daemon.find(/OPEN SESAME|SPA packet accepted/), undefined, `a scan opened a door\n${daemon.output()}`);
  const report = await s.status();
  assert.deepEqual(report.grants, [], 'no grant for anyone');
  await s.expectNoGrant('scanner');
  const c = report.counters;
  const b = before.counters;
  t.diagnostic(`${TCP_SCANS} TCP scans of 65,535 ports in ${(tcpMs / 1000).toFixed(1)} s, UDP scan of ${9 + 401} ports, ${((scanMs - tcpMs) / 1000).toFixed(1)} s`);
  t.diagnostic(`daemon: ${c.packets - b.packets} packets, ${c.knocks - b.knocks} knocks matched, ${c.failures - b.failures} attempts failed (${c.decoyHits - b.decoyHits} by a decoy), ${c.timeouts - b.timeouts} timed out, ${c.opens - b.opens} opens; SPA datagrams ${(c.spa?.packets ?? 0) - (b.spa?.packets ?? 0)}`);
  // Each scan reached the daemon's filter; each started an attempt on the first step, which a decoy failed.
  assert.ok(c.packets - b.packets >= 0.9 * TCP_SCANS * 65_535, 'the scans reached the daemon');
  assert.ok(c.knocks - b.knocks >= TCP_SCANS, 'the scans hit the knock ports');
  assert.ok(c.decoyHits - b.decoyHits >= 1, 'decoys failed the attempts the scans started');
  assert.ok((c.spa?.packets ?? 0) > (b.spa?.packets ?? 0), 'the UDP scan reached the SPA port');
  assert.equal(c.opens, b.opens);

  // The door still works for the same source.
  const mark = daemon.mark();
  await s.knock('scanner');
  await s.knockOpened('scanner', mark);
  await s.expectGrant('scanner', KNOCK_DOOR);
});
