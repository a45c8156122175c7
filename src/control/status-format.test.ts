import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { duration, formatStatus } from './status-format.js';
import type { StatusReport } from './types.js';

const NOW = 1_700_000_000_000;

function report(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    version: '0.1.0', pid: 4242, now: NOW, startedAt: NOW - 3_725_000, config: '/etc/knockd.conf',
    doors: [
      { name: 'openSSH', kind: 'command', trigger: 'sequence', opens: [], steps: 3, attempts: 2 },
      { name: 'web', kind: 'firewall', trigger: 'sequence', opens: ['tcp/443', 'tcp/13389 -> 10.0.0.5:3389'], steps: 4, attempts: 0 },
      { name: 'fw-spa', kind: 'firewall', trigger: 'spa', commands: true, opens: ['tcp/22'], steps: 0, attempts: 0 },
    ],
    grants: [
      { door: 'openSSH', address: '192.0.2.7', services: [], expiresAt: NOW + 8_000, secondsLeft: 8, backend: 'command', state: 'open' },
      { door: 'web', address: '2001:db8::7', services: ['tcp/443'], expiresAt: NOW + 250_000, secondsLeft: 250, backend: 'nftables', state: 'open' },
      { door: 'openSSH', address: '192.0.2.8', services: [], expiresAt: NOW + 10_000, secondsLeft: 10, backend: 'command', state: 'opening' },
    ],
    attempts: { inFlight: 2, max: 65536 },
    sources: { banned: 1, failing: 3, evictions: 0 },
    counters: {
      packets: 1234, knocks: 40, opens: 7, failures: 5, decoyHits: 2, timeouts: 1, evictions: 0, bans: 1,
      ignored: { banned: 9, cooldown: 0, 'not-allowed': 1, 'not-for-us': 2, noise: 3 },
    },
    ...overrides,
  };
}

describe('formatStatus', () => {
  it('prints aligned door and grant tables, then the counts', () => {
    assert.equal(formatStatus(report()), [
      'portcullis 0.1.0, pid 4242, up 1 h 2 min, config /etc/knockd.conf',
      '',
      'doors (3)',
      '  door     by        kind      opens                                steps  attempts',
      '  openSSH  sequence  command   what its start command opens         3      2',
      '  web      sequence  firewall  tcp/443, tcp/13389 -> 10.0.0.5:3389  4      0',
      '  fw-spa   spa       firewall  tcp/22; runs command messages        -      -',
      '',
      'grants (3)',
      '  door     address      open           left            via',
      '  openSSH  192.0.2.7    start command  8 s             command',
      '  web      2001:db8::7  tcp/443        4 min 10 s      nftables',
      '  openSSH  192.0.2.8    start command  10 s (opening)  command',
      '',
      '  attempts in flight  2 of 65536',
      '  sources             1 banned, 3 failing, 0 dropped from full tables',
      '',
      'since start',
      '  packets seen  1234',
      '  knocks        40',
      '  opens         7',
      '  failures      5 (2 on decoys)',
      '  timeouts      1',
      '  evictions     0 (attempts dropped, attempt table full)',
      '  bans          1',
      '  ignored       15 (banned 9, cooldown 0, not allowed 1, not for us 2, noise 3)',
      '',
    ].join('\n'));
  });

  it('says none for no doors or grants, and - for uncounted attempts', () => {
    const text = formatStatus(report({ doors: [{ name: 'd', kind: 'command', trigger: 'sequence', opens: [], steps: 1 }], grants: [] }));
    assert.match(text, /\n {2}d {5}sequence {2}command {2}what its start command opens {2}1 {6}-\n/);
    assert.match(text, /\ngrants \(0\)\n {2}none\n/);
    assert.match(formatStatus(report({ doors: [] })), /\ndoors \(0\)\n {2}none\n/);
  });

  it('shows a grant without an end', () => {
    const text = formatStatus(report({ grants: [{ door: 'd', address: '192.0.2.1', services: ['udp/1194'], expiresAt: undefined, secondsLeft: undefined, backend: 'ipset', state: 'closing' }] }));
    assert.match(text, /192\.0\.2\.1 {2}udp\/1194 {2}no end \(closing\) {2}ipset/);
  });
});

describe('duration', () => {
  it('uses the two largest units', () => {
    assert.deepEqual([0, 8, 59, 60, 61, 3599, 3600, 3660, 86_399, 86_400, 90_000, -5].map(duration), [
      '0 s', '8 s', '59 s', '1 min', '1 min 1 s', '59 min 59 s', '1 h', '1 h 1 min', '23 h 59 min', '1 d', '1 d 1 h', '0 s',
    ]);
  });
});
