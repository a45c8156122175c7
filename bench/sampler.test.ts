import { test } from 'node:test';
import assert from 'node:assert/strict';
import { burstRate } from './sampler.js';
import { slope } from './flood.js';

test('a burst is timed from the last quiet sample to the first at the final count', () => {
  const samples = [
    { at: 0, rxPackets: 100 },
    { at: 100, rxPackets: 101 }, // a stray packet does not start the burst
    { at: 200, rxPackets: 1101 },
    { at: 300, rxPackets: 2101 },
    { at: 400, rxPackets: 3101 },
    { at: 500, rxPackets: 3101 },
    { at: 600, rxPackets: 3101 },
  ];
  const b = burstRate(samples, 1);
  assert.equal(b.packets, 3000);
  assert.equal(b.seconds, 0.3);
  assert.equal(Math.round(b.pps), 10_000);
  assert.ok(Number.isNaN(burstRate([{ at: 0, rxPackets: 0 }]).pps));
});

test('the RSS trend is a least-squares slope in kB/s', () => {
  assert.equal(slope([{ at: 0, rssKb: 1000 }, { at: 1000, rssKb: 1500 }, { at: 2000, rssKb: 2000 }]), 500);
  assert.equal(slope([{ at: 0, rssKb: 1000 }, { at: 1000, rssKb: 1000 }]), 0);
  assert.ok(Number.isNaN(slope([{ at: 0, rssKb: 1 }])));
});
