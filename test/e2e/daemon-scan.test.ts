// A port scan must not walk a door's sequence. knockd's capture filter hid
// every port outside the sequences, so a full scan that happened to touch
// 7000, 8000 and 9000 in that order within seq_timeout opened the door;
// portcullis treats the other ports as decoys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, doorLab, expectShut, formatResult } from './lab.js';

const skip = labSkipReason(['nft', 'nmap']);

test('two full TCP port scans from a client do not open the door', { skip, timeout: 120_000 }, async (t) => {
  // A long seq_timeout gives the scanner every chance: both scans fall in one window.
  const scene = await doorLab(t, { id: 'scan', daemon: 'portcullis', door: { sequence: '7000,8000,9000', seqTimeout: 30 } });
  const { lab, daemon } = scene;
  for (const run of [1, 2]) {
    // Every port once, in nmap's random order, at a bounded rate.
    const r = await lab.exec('client', [
      'nmap', '-Pn', '-n', '-sS', '-T4', '-p', '1-65535', '--max-rate', '20000', '--max-retries', '0', lab.server.ip4,
    ], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, `scan ${run}: ${formatResult(r)}`);
    assert.match(r.stdout, /Nmap done: 1 IP address \(1 host up\)/, `scan ${run} did not reach the server: ${formatResult(r)}`);
  }
  assert.equal(daemon.find(/OPEN SESAME/), undefined, daemon.output());
  await expectShut(scene, 'client', 4);
  assert.ok(daemon.running, `the daemon died under the scan\n${daemon.output()}`);
});
