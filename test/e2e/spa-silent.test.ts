// "Nothing listens, the host stays silent": a captured SPA port answers no
// ICMP port unreachable (the backend drops it; the capture still sees the
// packet), while a closed UDP port of a host without Portcullis does answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLab, labConfig, labSkipReason, startPortcullis } from './lab.js';

const KEY = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const HMAC = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';

// argv: host port. A connected UDP socket learns of an ICMP port unreachable as ECONNREFUSED.
const PROBE = `
const dgram = require('node:dgram');
const [host, port] = process.argv.slice(1);
const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
let answer = 'silent';
s.on('error', (e) => { answer = e.code; });
s.connect(Number(port), host, () => {
  s.send('x'.repeat(200));
  setTimeout(() => s.send('y'.repeat(200)), 300);
  setTimeout(() => { console.log(answer); process.exit(0); }, 900);
});
`;

test('a captured SPA port answers nothing (no ICMP port unreachable); the packets still reach the daemon', { skip: labSkipReason(['nft']), timeout: 60_000 }, async (t) => {
  const lab = await createLab('spasil', { clients: ['client'] });
  t.after(() => lab.destroy());
  const probe = async (port: number) => (await lab.mustExec('client', [process.execPath, '-e', PROBE, lab.server.ip4, String(port)])).stdout.trim();
  assert.equal(await probe(62201), 'ECONNREFUSED', 'without Portcullis the closed port answers (the probe can tell)');
  const config = labConfig(['firewall = nftables'], ['[spa]', `    key_base64 = ${KEY}`, `    hmac_key_base64 = ${HMAC}`, '    open_ports = tcp/22', ''].join('\n'));
  const daemon = await startPortcullis(lab, { config });
  assert.equal(await probe(62201), 'silent');
  const client = lab.host('client').ip4.replace(/\./g, '\\.');
  await daemon.waitForLine(new RegExp(`${client}: spa: SPA packet refused \\(bad-hmac\\)`), 5000);
});
