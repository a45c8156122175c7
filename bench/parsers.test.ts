import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMonitorLine } from './element-watch.js';
import { parseTcpdumpLine } from './knock-capture.js';
import { parseNetDev, parseRssKb, parseSnmpTcp, parseStat } from './procfs.js';
import { describeCpu, parseCpuModel } from './machine.js';
import { countLogLines } from './results.js';

test('nft monitor lines: the bench set, one or more addresses', () => {
  const bench = 'inet bench allowed';
  assert.deepEqual(parseMonitorLine('add element inet bench allowed { 10.1.2.3 }'), { op: 'add', set: bench, ips: ['10.1.2.3'] });
  assert.deepEqual(parseMonitorLine('delete element inet bench allowed { 10.1.2.3, 10.1.2.4 }'), { op: 'delete', set: bench, ips: ['10.1.2.3', '10.1.2.4'] });
  assert.deepEqual(parseMonitorLine('add element inet bench allowed { 10.1.2.3 timeout 10s expires 9s998ms }'), { op: 'add', set: bench, ips: ['10.1.2.3'] });
  assert.equal(parseMonitorLine('add element inet lab allowed4 { 10.1.2.3 }'), undefined);
  assert.equal(parseMonitorLine('# new generation 4 by process 27570 (nft)'), undefined);
});

test('nft monitor lines: the nftables backend\'s grants4, the address is the first word of the key', () => {
  const grants = 'inet portcullis grants4';
  assert.deepEqual(parseMonitorLine('add element inet portcullis grants4 { 10.1.2.3 . tcp . 22 timeout 30s expires 30s }'), { op: 'add', set: grants, ips: ['10.1.2.3'] });
  assert.deepEqual(parseMonitorLine('add element inet portcullis grants4 { 10.1.2.3 . tcp . 22 timeout 1s expires 1s }'), { op: 'add', set: grants, ips: ['10.1.2.3'] });
  assert.deepEqual(parseMonitorLine('delete element inet portcullis grants4 { 10.1.2.3 . tcp . 22 timeout 30s expires 29s684ms }'), { op: 'delete', set: grants, ips: ['10.1.2.3'] });
  assert.deepEqual(
    parseMonitorLine('add element inet portcullis grants4 { 10.1.2.3 . tcp . 22 timeout 30s expires 30s, 10.1.2.4 . udp . 1194 timeout 30s expires 30s }'),
    { op: 'add', set: grants, ips: ['10.1.2.3', '10.1.2.4'] },
  );
  // Other sets of the backend's table are not grants of this door.
  assert.equal(parseMonitorLine('add element inet portcullis protected { tcp . 22 }'), undefined);
  assert.equal(parseMonitorLine('add element inet portcullis grants6 { fd00::5 . tcp . 22 timeout 30s expires 30s }'), undefined);
  assert.equal(parseMonitorLine('add element inet portcullisXgrants4 { 10.1.2.3 . tcp . 22 }'), undefined);
});

test('tcpdump lines give the kernel timestamp with nanoseconds', () => {
  const syn = parseTcpdumpLine('1795334135.361859108 IP 10.227.2.2.37854 > 10.227.2.1.9000: Flags [S], seq 162431574, win 64240, length 0');
  assert.ok(syn);
  assert.equal(syn.src, '10.227.2.2');
  assert.equal(syn.dst, '10.227.2.1');
  assert.equal(syn.dport, 9000);
  assert.ok(Math.abs(syn.at - 1795334135361.859108) < 0.001);
  assert.equal(parseTcpdumpLine('listening on lan0, link-type EN10MB (Ethernet)'), undefined);
  assert.equal(parseTcpdumpLine('1795334135.361859108 IP 10.227.2.2.37854 > 10.227.2.1.9000: Flags [R.], seq 0'), undefined);
});

test('/proc parsers: stat with a tricky command name, status, net/dev', () => {
  const stat = '1234 (no de) x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 11 0 100 1000 2000';
  assert.deepEqual(parseStat(stat), { self: 300, children: 10 });
  assert.equal(parseRssKb('Name:\tnode\nVmPeak:\t 1 kB\nVmRSS:\t   75704 kB\n'), 75704);
  assert.throws(() => parseRssKb('Name:\tkthreadd\n'));
  const netdev = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0',
    '  lan0: 8000880  200022    0    7    0     0          0         0     5000      60    0    0    0     0       0          0',
  ].join('\n');
  assert.deepEqual(parseNetDev(netdev, 'lan0'), { rxPackets: 200022, rxDropped: 7, txPackets: 60 });
  assert.equal(parseNetDev(netdev, 'eth0'), undefined);
});

test('/proc/net/snmp: the Tcp counters by name', () => {
  const snmp = [
    'Ip: Forwarding DefaultTTL InReceives',
    'Ip: 2 64 3015',
    'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors',
    'Tcp: 1 200 120000 -1 0 0 0 0 0 3000 3000 0 0 3000 0',
    'Udp: InDatagrams NoPorts',
    'Udp: 0 0',
  ].join('\n');
  const tcp = parseSnmpTcp(snmp);
  assert.equal(tcp.InSegs, 3000);
  assert.equal(tcp.OutRsts, 3000);
  assert.equal(tcp.MaxConn, -1);
  assert.equal(parseSnmpTcp('').OutRsts, undefined);
});

test('the CPU model comes from /proc/cpuinfo', () => {
  assert.equal(parseCpuModel('processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n'), 'AMD EPYC 7B13');
  assert.equal(parseCpuModel('processor : 0\n'), undefined);
  assert.equal(describeCpu('model name\t: AMD EPYC\ncpu MHz\t\t: 2596.122\nflags\t\t: fpu vme hypervisor lahf_lm\n'), 'AMD EPYC @ 2596 MHz (virtual machine)');
  assert.equal(describeCpu('model name\t: Intel Xeon\nflags\t\t: fpu vme\n'), 'Intel Xeon');
});

test('log lines are counted by kind', () => {
  const text = [
    '1.2.3.4: bench: Stage 1',
    '10.0.0.20: bench: OPEN SESAME',
    '2026-11-22 08:06:34 portcullis: last 10 s: 145835 log lines suppressed, 16 failed attempts (0 on decoys)',
    '2026-11-22 08:06:44 portcullis: last 10 s: 5 log lines suppressed',
    '',
  ].join('\n');
  assert.deepEqual(countLogLines(text), { lines: 4, stageLines: 1, openLines: 1, suppressed: 145840 });
});
