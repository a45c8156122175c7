import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMessages, parseTestConfig, TEST_FILE } from './testing.js';
import { describeConfig } from './summary.js';

const FILE = TEST_FILE;
const parse = parseTestConfig;
const messages = configMessages;
// Keys from fwknop --key-gen (fwknop-run.md, set "A").
const KEY = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const HMAC = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';

/** `[spa]` (line 1) with the given lines after the key and open_ports (lines 2 and 3). */
function spa(...lines: string[]): string {
  return ['[spa]', `key_base64 = ${KEY}`, 'open_ports = tcp/22', ...lines].join('\n');
}

test('an SPA door: every key parses; defaults as fwknopd', () => {
  const d = parse(spa(`hmac_key_base64 = ${HMAC}`)).doors[0]!;
  assert.deepEqual(d.sequence, []);
  assert.deepEqual(d.open, [{ proto: 'tcp', port: 22 }], 'open_ports are the firewall grant\'s protected ports');
  const s = d.spa!;
  assert.equal(s.port, 62201);
  assert.equal(s.listen, 'pcap');
  assert.deepEqual(Buffer.from(s.key), Buffer.from(KEY, 'base64'));
  assert.equal(s.key.length, 32);
  assert.deepEqual(Buffer.from(s.hmacKey!), Buffer.from(HMAC, 'base64'));
  assert.equal(s.hmacDigest, 'sha256');
  assert.equal(s.encryptionMode, 'cbc');
  assert.deepEqual(s.openPorts, [{ proto: 'tcp', port: 22 }]);
  assert.deepEqual(s.source, []);
  assert.equal(s.requireUsername, undefined);
  assert.equal(s.requireSourceAddress, true);
  assert.equal(s.accessTimeoutMs, 30_000);
  assert.equal(s.maxTimeoutMs, 300_000);

  const all = parse([
    '[options]', 'max_spa_packet_age = 60',
    '[vpn]', 'Key = correct horse battery', 'HMAC_Key = another secret', 'spa_port = 5000', 'spa_listen = socket',
    'hmac_digest_type = SHA3_256', 'open_ports = tcp/22, udp/1194, 2222', 'source = 203.0.113.0/24, 2001:db8::/32',
    'source = 198.51.100.7', 'require_username = alice', 'require_source = no', 'fw_access_timeout = 45',
    'max_fw_timeout = 600', 'enable_cmd_exec = no', 'start_command = /bin/true %IP% %PORT% %PROTO% %TIMEOUT%',
    'stop_command = /bin/false %IP%',
  ].join('\n'));
  assert.equal(all.options.maxSpaPacketAgeMs, 60_000);
  const v = all.doors[0]!;
  assert.deepEqual(v.open, [], 'a door with a start command grants through its commands, not a backend');
  assert.equal(v.startCommand, '/bin/true %IP% %PORT% %PROTO% %TIMEOUT%');
  assert.equal(v.stopCommand, '/bin/false %IP%');
  assert.equal(v.spa!.port, 5000);
  assert.equal(v.spa!.listen, 'socket');
  assert.equal(Buffer.from(v.spa!.key).toString(), 'correct horse battery');
  assert.equal(Buffer.from(v.spa!.hmacKey!).toString(), 'another secret');
  assert.equal(v.spa!.hmacDigest, 'sha3-256');
  assert.deepEqual(v.spa!.openPorts, [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }, { proto: 'tcp', port: 2222 }]);
  assert.deepEqual(v.spa!.source.map((c) => c.text), ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32']);
  assert.equal(v.spa!.requireUsername, 'alice');
  assert.equal(v.spa!.requireSourceAddress, false);
  assert.equal(v.spa!.accessTimeoutMs, 45_000);
  assert.equal(v.spa!.maxTimeoutMs, 600_000);
  assert.equal(parse(spa('source = ANY')).doors[0]!.spa!.source.length, 0, 'fwknopd\'s SOURCE ANY');
  assert.equal(parse(spa('encryption_mode = legacy')).doors[0]!.spa!.encryptionMode, 'legacy');
  for (const [name, digest] of [['md5', 'md5'], ['sha1', 'sha1'], ['sha384', 'sha384'], ['sha512', 'sha512'], ['sha3_512', 'sha3-512'], ['sha3-256', 'sha3-256']]) {
    assert.equal(parse(spa(`hmac_key = x`, `hmac_digest_type = ${name}`)).doors[0]!.spa!.hmacDigest, digest);
  }
  assert.equal(parse(spa()).doors[0]!.spa!.hmacKey, undefined, 'no HMAC key: packets without HMAC (fwknop without --use-hmac)');
  assert.equal(parse('[spa]\nkey_base64 = QQ\nopen_ports = 22\n').doors[0]!.spa!.key.length, 1, 'unpadded base64, 1 byte');
});

test('SPA key values: every error names file, line and key and says what is expected', () => {
  const cases: [string, RegExp][] = [
    ['spa_port = 0', /:4: spa_port: "0" is not a UDP port number; expected 1-65535/],
    ['spa_port = udp', /:4: spa_port: "udp" is not a UDP port number; expected 1-65535/],
    ['spa_listen = tcp', /:4: spa_listen: "tcp" is not a way to receive SPA packets; expected pcap .* or socket/],
    ['hmac_key_base64 = not*base64', /:4: hmac_key_base64: not base64; expected the HMAC key in standard base64/],
    [`hmac_key_base64 = ${Buffer.alloc(129, 1).toString('base64')}`, /:4: hmac_key_base64: decodes to 129 bytes; expected a HMAC key of 1 to 128 bytes/],
    ['hmac_key = __CHANGEME__', /:4: hmac_key: __CHANGEME__ is fwknop's placeholder; expected a real HMAC key/],
    [`hmac_key = ${'x'.repeat(129)}`, /:4: hmac_key: 129 bytes; expected a HMAC key of 1 to 128 bytes/],
    ['hmac_digest_type = sha224', /:4: hmac_digest_type: "sha224" is not an HMAC digest; expected one of md5, sha1, sha256, sha384, sha512, sha3_256, sha3_512/],
    ['encryption_mode = ctr', /:4: encryption_mode: "ctr" is not a supported encryption mode; expected cbc .* or legacy/],
    ['source = 10.0.0.1/8', /:4: source: "10.0.0.1\/8" has host bits set after \/8; expected the network address, 10.0.0.0\/8/],
    ['source =', /:4: source: no networks given; expected addresses or networks/],
    ['require_username = a b', /:4: require_username: "a b" cannot be an fwknop username; expected 1 to 48 printable characters/],
    ['require_username = a:b', /:4: require_username: "a:b" cannot be an fwknop username/],
    ['require_source_address = maybe', /:4: require_source_address: "maybe" is not yes or no; expected yes or no/],
    ['fw_access_timeout = 0', /:4: fw_access_timeout: 0 seconds is out of range; expected a whole number of seconds from 1/],
    ['max_fw_timeout = soon', /:4: max_fw_timeout: "soon" is not a number of seconds; expected a whole number of seconds from 1/],
    ['enable_cmd_exec = yes', /:4: enable_cmd_exec: \[spa\] would run command messages as root \(fwknopd's default\); expected cmd_exec_user = USER .*, or cmd_exec_user = root to run them as root on purpose/],
    ['enable_cmd_exec = perhaps', /:4: enable_cmd_exec: "perhaps" is not yes or no; expected yes or no/],
  ];
  for (const [line, pattern] of cases) {
    const got = messages(spa(line));
    assert.equal(got.length, 1, `${line}: ${got.join('\n')}`);
    assert.match(got[0]!, new RegExp(`^${FILE.replace(/\//g, '\\/')}${pattern.source}`), line);
  }
  const keyCases: [string, RegExp][] = [
    ['key_base64 = ###', /:2: key_base64: not base64; expected the Rijndael key in standard base64, as fwknop --key-gen prints it/],
    ['key_base64 = QQ=', /:2: key_base64: not base64/],
    ['key_base64 = Q', /:2: key_base64: not base64/],
    [`key_base64 = ${Buffer.alloc(33, 7).toString('base64')}`, /:2: key_base64: decodes to 33 bytes; expected a Rijndael key of 1 to 32 bytes/],
    [`key = ${'k'.repeat(33)}`, /:2: key: 33 bytes; expected a Rijndael key of 1 to 32 bytes/],
    ['key = __CHANGEME__', /:2: key: __CHANGEME__ is fwknop's placeholder; expected a real Rijndael key/],
  ];
  for (const [line, pattern] of keyCases) {
    const got = messages(['[spa]', line, 'open_ports = tcp/22'].join('\n'));
    assert.equal(got.length, 1, `${line}: ${got.join('\n')}`);
    assert.match(got[0]!, pattern, line);
  }
  assert.deepEqual(messages('[options]\nmax_spa_packet_age = 0\n[d]\nsequence = 1'), [
    `${FILE}:2: max_spa_packet_age: 0 seconds is out of range; expected a whole number of seconds from 1 to ${Math.floor(0x7fffffff / 1000)}`,
  ]);
  assert.deepEqual(messages('[options]\nmax_spa_packet_age = 100001\n[d]\nsequence = 1'), [
    `${FILE}:2: max_spa_packet_age: 100001 seconds is out of range; expected a whole number of seconds from 1 to 100000`,
  ]);
});

test('SPA door checks: open_ports required, keys distinct, no HMAC digest without a key, legacy without HMAC, one key form', () => {
  assert.deepEqual(messages(`[spa]\nkey_base64 = ${KEY}\n`), [
    `${FILE}:2: key_base64: [spa] is an SPA door without open_ports; expected open_ports = PROTO/PORT, … (what a client may ask for, e.g. open_ports = tcp/22), or enable_cmd_exec = yes for a door that only runs command messages`,
  ]);
  assert.deepEqual(messages(spa(`hmac_key_base64 = ${KEY}`)), [
    `${FILE}:4: hmac_key_base64: is the same as the encryption key; expected a different HMAC key (fwknop --key-gen makes both)`,
  ]);
  assert.deepEqual(messages(spa('hmac_digest_type = sha512')), [
    `${FILE}:4: hmac_digest_type: [spa] has no HMAC key, so there is no HMAC to check; expected hmac_key_base64 (or hmac_key) too, or no hmac_digest_type`,
  ]);
  assert.deepEqual(messages(spa('encryption_mode = legacy', `hmac_key_base64 = ${HMAC}`)), [
    `${FILE}:4: encryption_mode: fwknop clients never add an HMAC to legacy-mode packets; expected encryption_mode = cbc with an HMAC key, or legacy without one`,
  ]);
  assert.deepEqual(messages(spa('key = passphrase')), [
    `${FILE}:4: key: the door already has key_base64 on line 2; expected either key_base64 or key, not both`,
  ]);
  assert.deepEqual(messages(spa(`hmac_key_base64 = ${HMAC}`, 'hmac_key = other')), [
    `${FILE}:5: hmac_key: the door already has hmac_key_base64 on line 4; expected either hmac_key_base64 or hmac_key, not both`,
  ]);
  assert.equal(parse(spa('key_base64 = QUJD')).doors[0]!.spa!.key.length, 3, 'the same key twice: the last wins');
});

test('SPA keys and knock keys do not mix: each error names the door and both lines', () => {
  assert.deepEqual(messages(['[d]', 'sequence = 7000,8000', `key_base64 = ${KEY}`, 'open_ports = tcp/22'].join('\n')), [
    `${FILE}:3: key_base64: [d] has sequence on line 2 and key_base64 on line 3; expected either a sequence (a knock door) or key_base64 without one (an SPA door)`,
  ]);
  assert.deepEqual(messages(['[d]', 'sequence = 7000,8000', 'open_ports = tcp/22', 'spa_port = 5000'].join('\n')), [
    `${FILE}:3: open_ports: is an SPA key, but [d] is a knock door (sequence on line 2); expected it in an SPA door (key_base64 and no sequence)`,
    `${FILE}:4: spa_port: is an SPA key, but [d] is a knock door (sequence on line 2); expected it in an SPA door (key_base64 and no sequence)`,
  ]);
  const knockKeys = ['seq_timeout = 5', 'tcpflags = syn', 'open = tcp/22', 'open_timeout = 5', 'allow = 10.0.0.0/8', 'cooldown = 5',
    'knock_max_gap = 3', 'target = 10.0.0.1', 'cmd_timeout = 5', 'allow_duplicates = yes', 'knock_min_gap = 1'];
  const got = messages(spa(...knockKeys));
  assert.equal(got.length, knockKeys.length, got.join('\n'));
  got.forEach((m, i) => {
    const key = knockKeys[i]!.split(' ')[0];
    assert.equal(m, `${FILE}:${i + 4}: ${key}: is a knock-door key, but [spa] is an SPA door (key_base64 on line 2); expected SPA keys (spa_port, open_ports, source, fw_access_timeout, …) and Start_Command/Stop_Command only`);
  });
  assert.deepEqual(messages('[d]\nopen_ports = tcp/22\nspa_port = 1\n'), [
    `${FILE}:2: open_ports: [d] has SPA keys but no key; expected key_base64 = KEY (or key = PASSPHRASE) for an SPA door, or a Sequence for a knock door`,
  ]);
  assert.match(messages('[d]\nsequence = 1\nkey = x\n')[0]!, /:3: key: \[d\] has sequence on line 2 and key on line 3/);
  assert.match(messages('[d]\none_time_sequences = /x\nkey = x\n').join('\n'), /:3: key: \[d\] has one_time_sequences on line 2 and key on line 3/);
  assert.match(messages('[options]\nopen_ports = tcp/22\n').join('\n'), /:2: open_ports: a door key is not valid in \[options\]/);
});

test('checks across doors: one spa_listen per port, no knock step on an SPA port, firewall = command needs commands', () => {
  assert.deepEqual(messages([
    '[a]', `key_base64 = ${KEY}`, 'open_ports = tcp/22',
    '[b]', 'key = other', 'open_ports = tcp/22', 'spa_listen = socket',
  ].join('\n')), [
    `${FILE}:5: key: [b] receives SPA port 62201 by socket, but [a] receives it by pcap; expected one spa_listen for every SPA door on a port`,
  ]);
  assert.equal(parse(['[a]', `key_base64 = ${KEY}`, 'open_ports = tcp/22', '[b]', 'key = other', 'open_ports = tcp/23'].join('\n')).doors.length, 2,
    'two SPA doors may share a port (fwknopd tries its stanzas in order)');
  assert.deepEqual(messages([
    '[a]', `key_base64 = ${KEY}`, 'open_ports = tcp/22', 'spa_port = 5000',
    '[k]', 'sequence = 7000,5000:udp',
  ].join('\n')), [
    `${FILE}:6: sequence: 5000/udp is the SPA port of [a], so its packets go to the SPA checks; expected knock ports other than SPA ports`,
  ]);
  assert.equal(parse(spa('spa_port = 5000') + '\n[k]\nsequence = 5000\n').doors.length, 2, 'a TCP knock on the same number is fine');
  assert.deepEqual(messages(`[options]\nfirewall = command\n${spa()}`), [
    `${FILE}:4: key_base64: firewall = command runs only start/stop commands; expected Start_Command/Stop_Command on SPA door [spa], or a firewall backend (nftables, iptables, ipset, firewalld) for its open_ports`,
  ]);
  assert.equal(parse(`[options]\nfirewall = command\n${spa('start_command = /bin/true %IP%')}`).doors[0]!.startCommand, '/bin/true %IP%');
});

test('knock doors are unchanged: no spa field, and the unknown-key message lists the SPA keys too', () => {
  const d = parse('[d]\nsequence = 1').doors[0]!;
  assert.equal('spa' in d, false);
  assert.match(messages('[d]\nsequence = 1\ncolour = red').join('\n'), /unknown door key; expected one of .*key_base64, key, .*open_ports/);
});

test('forward on an SPA door: the NAT requests it grants; open_ports may then be left out; not with commands or firewall = command/ipset', () => {
  const d = parse(['[gw]', `key_base64 = ${KEY}`, 'forward = tcp/13389 -> 10.0.0.5:3389'].join('\n')).doors[0]!;
  assert.deepEqual(d.forwards, [{ proto: 'tcp', port: 13389, host: '10.0.0.5', family: 4, hostPort: 3389 }]);
  assert.deepEqual(d.spa!.openPorts, []);
  assert.deepEqual(d.open, []);
  assert.deepEqual(messages(spa('forward = tcp/13389 -> 10.0.0.5:3389', 'start_command = /bin/true %IP%')), [
    `${FILE}:4: forward: [spa] grants through its Start_Command, which cannot forward; expected forward only on an SPA door that grants through a firewall backend (no Start_Command)`,
  ]);
  assert.match(messages(`[options]\nfirewall = ipset\n${spa('forward = tcp/13389 -> 10.0.0.5:3389')}`).join('\n'),
    /:6: forward: the ipset backend cannot forward to inside hosts; expected firewall = nftables or iptables/);
});

test('portcullis check describes an SPA door without showing its keys', () => {
  const text = describeConfig(parse(spa(`hmac_key_base64 = ${HMAC}`, 'require_username = alice', 'spa_port = 5000')));
  assert.match(text, /\[spa\] \(line 1, SPA\)\n {2}spa port +udp\/5000 \(captured; nothing listens\)\n {2}keys +Rijndael \(cbc\), HMAC sha256\n {2}open ports +tcp\/22\n/);
  assert.match(text, /username +alice/);
  assert.match(text, /grants via +the firewall backend/);
  assert.ok(!text.includes(KEY) && !text.includes(HMAC) && !text.includes(KEY.slice(0, 10)), 'no key material');
});

test('access.conf syntax (no "=") gets one error per line, and no "door has no sequence" on top', () => {
  assert.deepEqual(messages('[spa]\nKEY_BASE64 QUJDREVGR0g\nOPEN_PORTS tcp/22\n'), [
    `${FILE}:2: KEY_BASE64: no "=" on this line; expected KEY_BASE64 = value`,
    `${FILE}:3: OPEN_PORTS: no "=" on this line; expected OPEN_PORTS = value`,
  ]);
  assert.deepEqual(messages('[spa]\nKEY secret\nopen_ports = tcp/22\n'), [`${FILE}:2: KEY: no "=" on this line; expected KEY = value`]);
});

test('command messages: enable_cmd_exec with cmd_exec_user, group, cmd_allow lines as argvs, timeout, max running; defaults', () => {
  const d = parse(spa('enable_cmd_exec = yes', 'cmd_exec_user = spacmd', 'cmd_exec_group = staff', `cmd_allow = /usr/bin/touch '/run/a b'`,
    'cmd_allow = /usr/bin/id -u', 'cmd_exec_timeout = 5', 'cmd_exec_max_running = 2')).doors[0]!;
  assert.deepEqual(d.spa!.commandExec, {
    user: 'spacmd', userLine: 5, group: 'staff', groupLine: 6,
    allow: [['/usr/bin/touch', '/run/a b'], ['/usr/bin/id', '-u']], timeoutMs: 5000, maxRunning: 2,
  });
  assert.deepEqual(parse(spa('enable_cmd_exec = yes', 'cmd_exec_user = root')).doors[0]!.spa!.commandExec,
    { user: 'root', userLine: 5, timeoutMs: 30_000, maxRunning: 4 }, 'root only when written; no cmd_allow: any command');
  assert.equal(parse(spa('enable_cmd_exec = no')).doors[0]!.spa!.commandExec, undefined);
  assert.equal(parse(spa()).doors[0]!.spa!.commandExec, undefined, 'default: no');
  const only = parse(['[cmd]', `key_base64 = ${KEY}`, 'enable_cmd_exec = yes', 'cmd_exec_user = nobody'].join('\n')).doors[0]!;
  assert.deepEqual(only.spa!.openPorts, [], 'a door that only runs commands needs no open_ports');
  assert.match(describeConfig(parse(spa('enable_cmd_exec = yes', 'cmd_exec_user = nobody', 'cmd_allow = /usr/bin/id -u', `cmd_allow = echo 'a b'`))),
    /command msgs +run as nobody, only \/usr\/bin\/id -u \| echo 'a b', killed after 30 s, at most 4 at once/);
  assert.match(describeConfig(parse(spa())), /command msgs +refused \(enable_cmd_exec = no\)/);
});

test('command keys: every error names file, line and key and says what is expected', () => {
  const cases: [string[], RegExp][] = [
    [['enable_cmd_exec = yes', 'cmd_exec_user = bad name'], /:5: cmd_exec_user: "bad name" is not a user name; expected a user of this host/],
    [['enable_cmd_exec = yes', 'cmd_exec_user = x', 'cmd_exec_group = a/b'], /:6: cmd_exec_group: "a\/b" is not a group name; expected a group of this host/],
    [['enable_cmd_exec = yes', 'cmd_exec_user = x', 'cmd_allow = id; reboot'], /:6: cmd_allow: cannot be split into a command: unquoted ; at position 3 is shell syntax.*; expected one command as a client sends it with fwknop -C \(no shell syntax\)/],
    [['enable_cmd_exec = yes', 'cmd_exec_user = x', `cmd_allow = echo 'open`], /:6: cmd_allow: cannot be split into a command: unterminated ' quote/],
    [['enable_cmd_exec = yes', 'cmd_exec_user = x', 'cmd_allow ='], /:6: cmd_allow: cannot be split into a command: an empty command/],
    [['enable_cmd_exec = yes', 'cmd_exec_user = x', 'cmd_exec_timeout = 0'], /:6: cmd_exec_timeout: 0 seconds is out of range; expected a whole number of seconds from 1/],
    [['enable_cmd_exec = yes', 'cmd_exec_user = x', 'cmd_exec_max_running = 0'], /:6: cmd_exec_max_running: "0" is out of range; expected a whole number of commands from 1 to 64/],
    [['enable_cmd_exec = yes', 'cmd_exec_user = x', 'cmd_exec_max_running = 65'], /:6: cmd_exec_max_running: "65" is out of range/],
    [['cmd_exec_user = nobody'], /:4: cmd_exec_user: \[spa\] does not run command messages; expected enable_cmd_exec = yes too, or no cmd_exec_user/],
    [['enable_cmd_exec = no', 'cmd_allow = /usr/bin/id'], /:5: cmd_allow: \[spa\] does not run command messages; expected enable_cmd_exec = yes too, or no cmd_allow/],
  ];
  for (const [lines, pattern] of cases) {
    const got = messages(spa(...lines));
    assert.equal(got.length, 1, `${lines.join(' / ')}: ${got.join('\n')}`);
    assert.match(got[0]!, new RegExp(`^${FILE.replace(/\//g, '\\/')}${pattern.source}`), lines.join(' / '));
  }
  assert.match(messages('[d]\nsequence = 1\ncmd_exec_user = x\n').join('\n'), /:3: cmd_exec_user: is an SPA key, but \[d\] is a knock door/);
});
