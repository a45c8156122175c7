import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeConfig } from './summary.js';
import { parseConfig } from './parse.js';

const TEXT = `[options]
 UseSyslog
 logfile = /var/log/knockd.log
 interface = eth0, wg0
 decoys = 1-1023, 53:udp
[openSSH]
 sequence = 7000,8000:udp:payload=knock,icmp:payload=0x00ff
 seq_timeout = 5
 tcpflags = syn,!ack
 target = 192.0.2.50
 allow = 203.0.113.0/24, 2001:db8::/32
 allow_duplicates = yes
 cooldown = 30
 start_command = /sbin/iptables -A INPUT -s %IP% -j ACCEPT
 start_command_6 =
 cmd_timeout = 15
 stop_command = /sbin/iptables -D INPUT -s %IP% -j ACCEPT
[ots]
 one_time_sequences = /ots
`;

test('one block per door, then the options', () => {
  const config = parseConfig(TEXT, 'x.conf', { readFile: () => '#1\n2001,2002\n' });
  assert.equal(describeConfig(config), `[openSSH] (line 6)
  sequence      7000/tcp 8000/udp(payload "knock") icmp(payload 0x00ff)
  seq timeout   5 s
  cmd timeout   15 s
  tcp flags     syn,!ack
  target        192.0.2.50
  allow         203.0.113.0/24, 2001:db8::/32
  duplicates    a repeat of the knock just matched is ignored
  cooldown      30 s
  start         /sbin/iptables -A INPUT -s %IP% -j ACCEPT
  start (IPv6)  nothing (empty)
  stop          /sbin/iptables -D INPUT -s %IP% -j ACCEPT
  stop (IPv6)   same as stop

[ots] (line 18)
  sequence      2001/tcp 2002/tcp (one-time, first unused line of /ots)
  seq timeout   25 s
  cmd timeout   10 s
  tcp flags     any
  target        addresses of the capture interfaces
  allow         any source
  duplicates    a repeat of the knock just matched fails the attempt
  cooldown      none
  start         none
  start (IPv6)  same as start
  stop          none
  stop (IPv6)   same as stop

[options]
  syslog        yes
  log file      /var/log/knockd.log
  pid file      default
  interfaces    eth0, wg0
  state dir     default
  decoys        1-1023/tcp 53/udp
  bans          5 failures within 60 s ban a source for 300 s
  max attempts  65536
  max sources   65536
`);
});

test('no doors, banning off', () => {
  const text = describeConfig(parseConfig('[options]\nbantime = 0\n', 'x', { readFile: () => undefined }));
  assert.ok(text.startsWith('(no doors)\n\n[options]\n'));
  assert.match(text, /bans {10}off \(BanTime = 0\)/);
});
