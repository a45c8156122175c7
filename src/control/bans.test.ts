// The control socket's ban parts: the unban request, its dispatch, and the bans in `status`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch } from './dispatch.js';
import { formatRequest, parseRequest } from './protocol.js';
import { formatStatus } from './status-format.js';
import type { ControlHandler, StatusReport } from './types.js';

const report = (bans?: StatusReport['bans']): StatusReport => ({
  version: '0.1.0', pid: 1, now: 1_000_000, startedAt: 1_000_000, config: '/etc/knockd.conf', doors: [], grants: [],
  attempts: { inFlight: 0, max: 10 }, sources: { banned: 0, failing: 0, evictions: 0 },
  counters: { packets: 0, knocks: 0, opens: 0, failures: 0, decoyHits: 0, timeouts: 0, evictions: 0, bans: 0, ignored: {} },
  ...(bans && { bans }),
});

describe('control: bans', () => {
  it('unban ADDRESS (canonicalised) and unban --all parse and format', () => {
    assert.deepEqual(parseRequest('unban 2001:DB8:0::1'), { op: 'unban', address: '2001:db8::1' });
    assert.deepEqual(parseRequest('unban --all'), { op: 'unban', address: undefined });
    assert.equal(formatRequest({ op: 'unban', address: '192.0.2.7' }), 'unban 192.0.2.7\n');
    assert.equal(formatRequest({ op: 'unban', address: undefined }), 'unban --all\n');
    assert.throws(() => parseRequest('unban'), { code: 'CONTROL_BAD_REQUEST', message: /unban takes one argument; expected unban ADDRESS or unban --all/ });
    assert.throws(() => parseRequest('unban 10.0.0.0/8'), { code: 'CONTROL_BAD_ADDRESS' });
  });

  it('dispatch: the handler\'s count comes back as unbanned; a daemon without bans says so', async () => {
    const calls: (string | undefined)[] = [];
    const handler: ControlHandler = {
      status: () => report(), revoke: async () => 0, reload: () => ({ ok: true, doors: 0 }),
      unban: async (a) => { calls.push(a); return 1; },
    };
    assert.deepEqual(await dispatch('unban 192.0.2.7', handler), { ok: true, unbanned: 1 });
    assert.deepEqual(await dispatch('unban --all', handler), { ok: true, unbanned: 1 });
    assert.deepEqual(calls, ['192.0.2.7', undefined]);
    const old: ControlHandler = { status: () => report(), revoke: async () => 0, reload: () => ({ ok: true, doors: 0 }) };
    const r = await dispatch('unban 192.0.2.7', old);
    assert.equal(r.ok, false);
  });

  it('status text: a bans table (at most 50 rows), where they live, and the counts; none when empty', () => {
    const list = Array.from({ length: 52 }, (_, i) => ({ address: `192.0.2.${i}`, reason: i === 0 ? 'restored' : 'decoy', failures: i === 0 ? 0 : 5, until: 0, secondsLeft: 100 + i }));
    const text = formatStatus(report({ total: 60, active: 52, lifted: 3, expired: 5, exempted: 7, kernel: 'nftables', list }));
    assert.match(text, /\nbans \(52, in the daemon and the kernel \(nftables\); 60 since start, 3 lifted, 5 expired, 7 failures of exempt sources not counted\)\n  address\s+reason\s+failures\s+left\n  192\.0\.2\.0\s+restored\s+-\s+1 min 40 s\n  192\.0\.2\.1\s+decoy\s+5\s+1 min 41 s\n/);
    assert.match(text, /\n  192\.0\.2\.49 .*\n  … and 2 more \(portcullis status --json lists them all\)\n/);
    assert.ok(!text.includes('192.0.2.50 '));
    assert.match(formatStatus(report({ total: 0, active: 0, lifted: 0, expired: 0, exempted: 0, list: [] })), /\nbans \(0, in the daemon only; 0 since start, 0 lifted, 0 expired\)\n  none\n/);
    assert.ok(!formatStatus(report()).includes('\nbans ('), 'an older daemon reports no bans section');
  });
});
