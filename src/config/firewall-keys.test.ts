import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMessages, parseTestConfig, TEST_FILE } from './testing.js';

const FILE = TEST_FILE;
const parse = parseTestConfig;
const messages = configMessages;

test('open, open_timeout, forward and revokes parse into the door', () => {
  const c = parse([
    '[options]', 'firewall = iptables', 'nft_table = inet filter', 'nft_priority = -5', 'close_on_exit = no', 'Firewalld_Zone = my_zone-1',
    '[openSSH]', 'sequence = 7000,8000', 'open = tcp/22, udp/1194, 2222, tcp/22', 'open_timeout = 45',
    'forward = tcp/13389 -> 10.0.0.5:3389, udp/5000 -> [fd00::5]:5001',
    '[closeSSH]', 'sequence = 9000,8000', 'revokes = openSSH',
  ].join('\n'));
  const [open, close] = c.doors;
  assert.deepEqual(open!.open, [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }, { proto: 'tcp', port: 2222 }], 'duplicates dropped');
  assert.equal(open!.openTimeoutMs, 45_000);
  assert.deepEqual(open!.forwards, [
    { proto: 'tcp', port: 13389, host: '10.0.0.5', family: 4, hostPort: 3389 },
    { proto: 'udp', port: 5000, host: 'fd00::5', family: 6, hostPort: 5001 },
  ]);
  assert.deepEqual(close!.revokes, ['openSSH']);
  assert.deepEqual(close!.open, []);
  assert.equal(close!.openTimeoutMs, 30_000, 'default 30 s');
  assert.equal(c.options.firewall, 'iptables');
  assert.deepEqual(c.options.nftTable, { family: 'inet', name: 'filter', integrated: true });
  assert.equal(c.options.nftPriority, -5);
  assert.equal(c.options.closeOnExit, false);
  assert.equal(c.options.firewalldZone, 'my_zone-1');
});

test('defaults: backend chosen at start, own table inet portcullis, close on exit', () => {
  const c = parse('[d]\nsequence = 7000\nopen = tcp/22\n');
  assert.equal(c.options.firewall, undefined);
  assert.deepEqual(c.options.nftTable, { family: 'inet', name: 'portcullis', integrated: false });
  assert.equal(c.options.nftPriority, -10);
  assert.equal(c.options.closeOnExit, true);
  assert.equal(c.options.firewalldZone, undefined, 'firewalld\'s default zone');
  assert.equal('firewalldZone' in c.options, false);
  assert.deepEqual(parse('[options]\nnft_table = knocks\n[d]\nsequence = 7000\n').options.nftTable, { family: 'inet', name: 'knocks', integrated: false });
});

test('firewalld_zone: 1 to 17 letters, digits, _ or -; anything else says what is expected', () => {
  assert.equal(parse('[options]\nfirewalld_zone = public\n[d]\nsequence = 7000\n').options.firewalldZone, 'public');
  assert.equal(parse(`[options]\nfirewalld_zone = ${'z'.repeat(17)}\n[d]\nsequence = 7000\n`).options.firewalldZone, 'z'.repeat(17));
  const bad = ['my zone', 'zone/x', '"public"', 'x'.repeat(18), 'públic', '--zone=drop'];
  const errs = messages(['[options]', ...bad.map((z) => `firewalld_zone = ${z}`), '[d]', 'sequence = 7000'].join('\n'));
  assert.deepEqual(errs, bad.map((z, i) =>
    `${FILE}:${i + 2}: firewalld_zone: "${z}" is not a firewalld zone name; expected 1 to 17 letters, digits, _ or - (a zone that firewall-cmd --get-zones lists, e.g. public)`));
  assert.match(messages('[options]\nfirewalld_zone =\n[d]\nsequence = 7000\n')[0]!, /^\/etc\/portcullis\.conf:2: firewalld_zone: /);
});

test('bad firewall values name the file, line and key, and say what is expected', () => {
  const errs = messages([
    '[options]', 'firewall = pf', 'nft_table = inet my-table', 'nft_priority = low', 'close_on_exit = maybe',
    '[d]', 'sequence = 7000', 'open = tcp/0, icmp/1', 'open_timeout = 0', 'forward = tcp/13389 -> 10.0.0.5', 'revokes = nope, d',
  ].join('\n'));
  assert.deepEqual(errs, [
    `${FILE}:2: firewall: "pf" is not a firewall backend; expected one of nftables, iptables, ipset, firewalld, command`,
    `${FILE}:3: nft_table: "inet my-table" is not an nftables table; expected a table name (Portcullis's own table, e.g. portcullis) or FAMILY NAME of your table (e.g. inet filter)`,
    `${FILE}:4: nft_priority: "low" is not a chain priority; expected a whole number from -1000 to 1000 (filter is 0, lower runs first)`,
    `${FILE}:5: close_on_exit: "maybe" is not yes or no; expected yes or no`,
    `${FILE}:8: open: "0" is not a port number in "tcp/0"; expected 1-65535`,
    `${FILE}:9: open_timeout: 0 seconds is out of range; expected a whole number of seconds from 1 to 2147483`,
    `${FILE}:10: forward: "10.0.0.5" is not an address and port; expected PROTO/PORT -> INSIDE_ADDRESS:PORT, e.g. tcp/13389 -> 10.0.0.5:3389`,
    `${FILE}:11: revokes: no door named "nope"; expected one of (no other doors)`,
    `${FILE}:11: revokes: [d] cannot revoke itself; expected the name of the door whose grant this door closes`,
  ]);
});

test('open with firewall = command, and forward with a backend that cannot forward, are refused', () => {
  assert.deepEqual(messages('[options]\nfirewall = command\n[d]\nsequence = 7000\nopen = tcp/22\n'), [
    `${FILE}:5: open: firewall = command runs only start/stop commands; expected a firewall backend (nftables, iptables, ipset, firewalld) for open, or Start_Command/Stop_Command`,
  ]);
  assert.deepEqual(messages('[options]\nfirewall = ipset\n[d]\nsequence = 7000\nforward = tcp/1 -> 10.0.0.1:1\n'), [
    `${FILE}:5: forward: the ipset backend cannot forward to inside hosts; expected firewall = nftables or iptables for gateway access`,
  ]);
});

test('protocol errors in open say which protocols work', () => {
  assert.deepEqual(messages('[d]\nsequence = 7000\nopen = icmp/1\n'), [
    `${FILE}:3: open: "icmp/1": protocol must be tcp or udp; expected e.g. tcp/22 or udp/1194`,
  ]);
});
