import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirewallError } from './backend.js';
import { createBackend, detectBackend } from './select.js';
import { RecordingToolRunner } from './tool.js';

const options = { nftTable: { family: 'inet', name: 'portcullis', integrated: false }, nftPriority: -10 } as const;

test('auto: nftables when nft works, and the choice is explained', async () => {
  const runner = new RecordingToolRunner();
  const notes: string[] = [];
  const b = await createBackend(options, { runner, note: (m) => notes.push(m) });
  assert.equal(b.name, 'nftables');
  assert.deepEqual(runner.lines(), ['nft list tables']);
  assert.match(notes[0]!, /^firewall backend: nftables \(nft works on this host; set firewall = in \[options\] to choose\)$/);
  await b.dispose();
});

test('auto: iptables when nft does not work', async () => {
  const runner = new RecordingToolRunner();
  runner.respond = (c) => (c.file === 'nft' ? { code: 1, stdout: '', stderr: 'Error: Operation not supported' } : { code: 0, stdout: '', stderr: '' });
  assert.equal((await detectBackend(runner)).choice, 'iptables');
});

test('auto: neither works → FIREWALL_UNAVAILABLE naming both', async () => {
  const runner = new RecordingToolRunner();
  runner.respond = () => ({ code: null, stdout: '', stderr: '', error: 'cannot run it: ENOENT' });
  await assert.rejects(detectBackend(runner), (e: unknown) => e instanceof FirewallError && e.code === 'FIREWALL_UNAVAILABLE' && /ENOENT.*ENOENT/.test(e.message));
});

test('an explicit choice is not probed', async () => {
  const runner = new RecordingToolRunner();
  const b = await createBackend({ ...options, firewall: 'iptables' }, { runner, note: () => undefined });
  assert.equal(b.name, 'iptables');
  assert.deepEqual(runner.calls, []);
});

test('firewalld: firewalld_zone becomes the zone of every command; unset, no --zone (firewalld\'s default zone)', async () => {
  for (const [firewalldZone, zoneArgs] of [['knock', ['--zone=knock']], [undefined, []]] as const) {
    const runner = new RecordingToolRunner();
    const b = await createBackend({ ...options, firewall: 'firewalld', firewalldZone }, { runner, note: () => undefined });
    assert.equal(b.name, 'firewalld');
    assert.equal(runner.calls.length, 0, 'an explicit choice is not probed');
    await b.close([{ address: '192.0.2.7', family: 4, service: { proto: 'tcp', port: 22 } }]);
    assert.deepEqual(runner.lines(), [
      ['firewall-cmd', ...zoneArgs, '--remove-rich-rule=rule family="ipv4" source address="192.0.2.7" port port="22" protocol="tcp" accept'].join(' '),
    ]);
    await b.dispose();
  }
});

test('firewalld: a bad firewalld_zone that reached the backend is refused before any command', async () => {
  const runner = new RecordingToolRunner();
  await assert.rejects(createBackend({ ...options, firewall: 'firewalld', firewalldZone: 'a b' }, { runner, note: () => undefined }),
    (e: unknown) => e instanceof FirewallError && e.code === 'FIREWALL_BAD_VALUE');
  assert.deepEqual(runner.calls, []);
});
