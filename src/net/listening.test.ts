import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { parsePortRange, parseProcNet, readListeningPorts } from './listening.js';

// Taken from this machine with listeners on 127.0.0.1:8123 and [::]:8124, [::1]:8125 (TCP),
// 0.0.0.0:5301 and [::]:5302 (UDP), a connected TCP pair and connected UDP sockets on 5303 and 5304.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1527 1 0000000099f56411 100 0 0 10 0
   1: 0100007F:1FBB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 85667 1 0000000088f99917 100 0 0 10 0
   4: 0100007F:1FBB 0100007F:E710 06 00000000:00000000 03:00001616 00000000     0        0 0 3 00000000508534f8
   6: 0100007F:1FBB 0100007F:909E 01 00000000:00000000 00:00000000 00000000     0        0 85675 1 00000000a2f7e686 20 0 0 10 -1
  11: 0100007F:909E 0100007F:1FBB 01 00000000:00000000 00:00000000 00000000     0        0 85674 2 0000000047c2bfd1 20 0 0 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1FBC 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 85668 1 00000000b1dc4aa4 100 0 0 10 0
   1: 00000000000000000000000001000000:1FBD 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 85669 1 0000000005c45f18 100 0 0 10 0
   2: 00000000000000000000000001000000:A335 00000000000000000000000001000000:B64E 06 00000000:00000000 03:00000C89 00000000     0        0 0 3 000000002c2dfb3f
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
12529: 00000000:14B5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 85670 2 00000000668456ec 0
12531: 0100007F:14B7 0100007F:270F 01 00000000:00000000 00:00000000 00000000     0        0 85672 2 00000000df45d0cd 0
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
12530: 00000000000000000000000000000000:14B6 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 85671 2 00000000fa7f1710 0
12532: 00000000000000000000000001000000:14B8 00000000000000000000000001000000:270E 01 00000000:00000000 00:00000000 00000000     0        0 85673 2 000000002f018593 0
`;

test('parseProcNet: TCP sockets in LISTEN, IPv4 and IPv6', () => {
  assert.deepEqual(parseProcNet(TCP, 'tcp'), [2024, 8123]);
  assert.deepEqual(parseProcNet(TCP6, 'tcp'), [8124, 8125]);
});

test('parseProcNet: UDP sockets without a remote address; connected ones are clients', () => {
  assert.deepEqual(parseProcNet(UDP, 'udp'), [5301]);
  assert.deepEqual(parseProcNet(UDP6, 'udp'), [5302]);
});

test('parseProcNet tolerates empty, header-only and malformed text', () => {
  assert.deepEqual(parseProcNet('', 'tcp'), []);
  assert.deepEqual(parseProcNet(TCP.split('\n')[0]!, 'tcp'), []);
  assert.deepEqual(parseProcNet('header\ngarbage\n 1: x\n 2: 00000000:ZZZZ 00000000:0000 0A\n 3: 00000000:0000 00000000:0000 0A\n', 'tcp'), []);
  // UDP (unlike TCP) ignores the state of a line with a remote address even in state 07.
  assert.deepEqual(parseProcNet('h\n 0: 00000000:0035 01020304:0035 07\n', 'udp'), []);
});

test('parsePortRange', () => {
  assert.deepEqual(parsePortRange('32768\t60999\n'), { from: 32768, to: 60999 });
  assert.deepEqual(parsePortRange(' 1024 65535'), { from: 1024, to: 65535 });
  assert.equal(parsePortRange('60999 32768'), undefined);
  assert.equal(parsePortRange('x'), undefined);
});

function reader(files: Record<string, string | undefined>) {
  const reads: string[] = [];
  return { reads, read: async (path: string) => { reads.push(path); return files[path]; } };
}

test('readListeningPorts merges IPv4 and IPv6 and tolerates missing files', async () => {
  const { read } = reader({ '/proc/net/tcp': TCP, '/proc/net/udp': UDP, '/proc/net/udp6': UDP6, '/proc/sys/net/ipv4/ip_local_port_range': '40000 50000\n' });
  assert.deepEqual(await readListeningPorts(read), { tcp: [2024, 8123], udp: [5301, 5302], ephemeral: { from: 40000, to: 50000 } });
  assert.deepEqual(await readListeningPorts(reader({}).read), { tcp: [], udp: [], ephemeral: { from: 32768, to: 60999 } });
});

test('readListeningPorts reads this machine\'s /proc', { skip: !existsSync('/proc/net/tcp') && 'no /proc/net/tcp' }, async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as { port: number }).port;
    const ports = await readListeningPorts();
    assert.ok(ports.tcp.includes(port), `${port} in ${ports.tcp.join(',')}`);
  } finally {
    server.close();
  }
});


