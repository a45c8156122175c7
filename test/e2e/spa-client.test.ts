// `portcullis spa` against the real fwknopd 2.6.10 (Debian), and packets of
// the real fwknop client through `portcullis spa decode`. fwknopd runs in
// the lab's server namespace with its real iptables backend (its chains live
// and die in that namespace): a TCP service behind a DROP rule is reachable
// from the client only after fwknopd accepted the packet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, labSkipReason, portcullis, waitFor, type Lab, type LabProcess } from './lab.js';

const skip = labSkipReason(['fwknopd', 'fwknop', 'iptables']);

// Test-only keys (fwknop-vectors set "A", made by fwknop --key-gen).
const K = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const H = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';
const KEYS = ['--key-base64-rijndael', K, '--key-base64-hmac', H];
/** One service per transport, so each test proves its own packet opened the door. */
const PORTS = { udp: 22, udpSource: 2100, tcp: 2200, http: 2300, stanza: 2400 } as const;

function secret(path: string, text: string): string {
  writeFileSync(path, text);
  chmodSync(path, 0o600); // fwknopd and fwknop both want 0600
  return path;
}

async function startFwknopd(lab: Lab): Promise<LabProcess> {
  const run = join(lab.tmp, 'fwknopd-run');
  mkdirSync(run, { recursive: true });
  const conf = secret(join(lab.tmp, 'fwknopd.conf'), [
    `PCAP_INTF                 ${lab.server.iface};`,
    'PCAP_FILTER               udp port 62201 or tcp port 62201;',
    'ENABLE_TCP_SERVER         Y;', // completes the handshake of -P tcp / -P http; the data is still read via pcap
    'ENABLE_SPA_OVER_HTTP      Y;',
    'ENABLE_SPA_PACKET_AGING   Y;',
    `FWKNOP_RUN_DIR            ${run};`,
    `FWKNOP_PID_FILE           ${run}/fwknopd.pid;`,
    `DIGEST_FILE               ${run}/digest.cache;`,
    '',
  ].join('\n'));
  const access = secret(join(lab.tmp, 'access.conf'), [
    'SOURCE              ANY',
    `KEY_BASE64          ${K}`,
    `HMAC_KEY_BASE64     ${H}`,
    `OPEN_PORTS          ${Object.values(PORTS).map((p) => `tcp/${p}`).join(', ')}`,
    'FW_ACCESS_TIMEOUT   60',
    '',
  ].join('\n'));
  const proc = lab.spawn('server', ['fwknopd', '-f', '-v', '-v', '-c', conf, '-a', access], 'fwknopd');
  await proc.waitForLine(/Starting fwknopd main event loop/, 15_000); // printed once pcap is capturing
  return proc;
}

/** The fwknopd log line that says it let `ip` in to tcp/`port`. */
function opened(ip: string, port: number): RegExp {
  return new RegExp(`Added access rule to FWKNOP_INPUT for ${ip.replace(/\./g, '\\.')}.*tcp/${port}\\b`);
}

test('portcullis spa opens the real fwknopd', { skip, timeout: 60_000 }, async (t) => {
  const lab = await createLab('spac');
  let fwknopd: LabProcess | undefined;
  t.after(async () => {
    await fwknopd?.stop('SIGTERM', 5_000); // first, so it removes its chains and stops its forked TCP server itself
    await lab.destroy();
  });
  const client = lab.host('client').ip4;
  const server = lab.server.ip4;
  // Every service is dropped for everyone; fwknopd's jump to FWKNOP_INPUT goes in front of these rules.
  for (const port of Object.values(PORTS)) {
    await lab.startTcpService('server', port);
    await lab.mustExec('server', ['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(port), '-j', 'DROP']);
  }
  const daemon = (fwknopd = await startFwknopd(lab));
  for (const port of Object.values(PORTS)) assert.equal(await lab.tcpConnects('client', server, port, 500), false, `tcp/${port} starts closed`);

  const spa = (args: string[], env?: NodeJS.ProcessEnv) => lab.mustExec('client', portcullis('spa', ...args), { timeoutMs: 20_000, ...(env ? { env } : {}) });
  const expectOpen = async (ip: string, port: number, what: string) => {
    await daemon.waitForLine(opened(ip, port), 10_000).catch((e: Error) => assert.fail(`${what}: ${e.message}`));
    await waitFor(`${what}: tcp/${port} to accept the client`, () => lab.tcpConnects('client', server, port, 500), 5_000);
  };

  await t.test('udp (default), -a ADDRESS', async () => {
    await spa(['-A', `tcp/${PORTS.udp}`, '-a', client, '-D', server, '--no-rc-file', ...KEYS]);
    await expectOpen(client, PORTS.udp, 'udp');
  });

  await t.test('-s: fwknopd uses the packet source', async () => {
    await spa(['-A', `tcp/${PORTS.udpSource}`, '-s', '-D', server, '--no-rc-file', ...KEYS]);
    await expectOpen(client, PORTS.udpSource, '-s');
  });

  await t.test('-P tcp', async () => {
    await spa(['-P', 'tcp', '-A', `tcp/${PORTS.tcp}`, '-a', client, '-D', server, '--no-rc-file', ...KEYS]);
    await expectOpen(client, PORTS.tcp, '-P tcp');
  });

  await t.test('-P http (ENABLE_SPA_OVER_HTTP)', async () => {
    await spa(['-P', 'http', '-A', `tcp/${PORTS.http}`, '-a', client, '-D', server, '--no-rc-file', ...KEYS]);
    await expectOpen(client, PORTS.http, '-P http');
  });

  await t.test('-n NAME from ~/.fwknoprc in a temporary HOME', async () => {
    const home = join(lab.tmp, 'home');
    mkdirSync(home);
    secret(join(home, '.fwknoprc'), [
      '[default]', 'SPA_SERVER_PROTO    udp', '',
      '[lab]', `SPA_SERVER          ${server}`, `ACCESS              tcp/${PORTS.stanza}`, `ALLOW_IP            ${client}`,
      `KEY_BASE64          ${K}`, `HMAC_KEY_BASE64     ${H}`, 'USE_HMAC            Y', '',
    ].join('\n'));
    await spa(['-n', 'lab'], { ...process.env, HOME: home });
    await expectOpen(client, PORTS.stanza, '-n lab');
  });

  assert.equal(daemon.all(/Replay detected/).length, 0, daemon.output());
});

/** The first "SPA Field Values" block of fwknop's or portcullis's output, as label → value. */
function fields(text: string): Map<string, string> {
  const lines = text.split('\n');
  const start = lines.indexOf('SPA Field Values:');
  assert.ok(start >= 0, text);
  const end = lines.indexOf('', start);
  return new Map(lines.slice(start + 2, end < 0 ? undefined : end).map((l) => {
    const i = l.indexOf(': ');
    return [l.slice(0, i).trim(), l.slice(i + 2)] as [string, string];
  }));
}

test('fwknop and portcullis spa --test build packets that decode to the same fields', { skip, timeout: 30_000 }, async (t) => {
  const lab = await createLab('spad');
  t.after(() => lab.destroy());
  const home = join(lab.tmp, 'home');
  mkdirSync(home);
  const env = { ...process.env, HOME: home, SPOOF_USER: 'spauser' };
  const same = ['-A', 'tcp/22,udp/53', '-a', '192.0.2.7', '-f', '90', '-N', '10.1.2.3:2222', '-m', 'sha512', '--hmac-digest-type', 'sha256', ...KEYS];

  // The real client; --no-rc-file/--no-save-args keep it from writing into HOME.
  const real = await lab.mustExec('client', ['fwknop', '--no-rc-file', '--no-save-args', '-T', '-v', ...same], { env });
  // -T prints the packet it built, then "Dump of the Decoded Data" of its own decode (HMAC stripped): fields() takes the first.
  const realFields = fields(real.stdout);
  assert.equal(realFields.size, 17, real.stdout);
  const realPacket = realFields.get('Final SPA Data');
  assert.ok(realPacket, real.stdout);
  const mine = await lab.mustExec('client', portcullis('spa', '--no-rc-file', '-T', ...same), { env });
  const minePacket = fields(mine.stdout).get('Final SPA Data');
  assert.ok(minePacket, mine.stdout);
  assert.notEqual(minePacket, realPacket);

  const decode = async (packet: string) => fields((await lab.mustExec('client', portcullis('spa', 'decode', '--no-rc-file', ...KEYS, packet))).stdout);
  const fromReal = await decode(realPacket);
  const fromMine = await decode(minePacket);

  // portcullis reads fwknop's packet exactly as fwknop itself described it.
  for (const [label, value] of realFields) {
    assert.equal(fromReal.get(label), value, `fwknop's packet, ${label}`);
  }
  assert.equal(fromReal.size, realFields.size);
  // Both packets say the same thing; only the random value, the time and what derives from them differ.
  const varying = new Set(['Random Value', 'Timestamp', 'Encoded Data', 'SPA Data Digest', 'HMAC', 'Final SPA Data']);
  for (const [label, value] of fromReal) {
    if (varying.has(label)) continue;
    assert.equal(fromMine.get(label), value, `same ${label}`);
  }
  assert.equal(fromMine.get('Message Type'), '4 (Client timeout NAT access msg)');
  assert.equal(fromMine.get('Nat Access'), '10.1.2.3,2222');
  assert.equal(fromMine.get('Digest Type'), '5 (SHA512)');
  assert.equal(Math.abs(Number(fromMine.get('Timestamp')) - Number(fromReal.get('Timestamp'))) < 30, true);

  await t.test('an IPv6 server (fwknop has no IPv6): the datagram arrives and decodes', async () => {
    // argv: port. Prints the first datagram's payload and exits.
    const listener = lab.spawn('server', [process.execPath, '-e', `
      const s = require('node:dgram').createSocket('udp6');
      s.on('message', (m) => { console.log('payload ' + m.toString('latin1')); process.exit(0); });
      s.bind(Number(process.argv[1]), '::', () => console.log('listening'));`, '62299'], 'udp6-listener');
    await listener.waitForLine(/^listening/, 10_000);
    await lab.mustExec('client', portcullis('spa', '--no-rc-file', '-A', 'tcp/22', '-s', '-D', lab.server.ip6, '-p', '62299', ...KEYS), { env });
    const line = await listener.waitForLine(/^payload /, 10_000);
    const got = await decode(line.text.slice('payload '.length));
    assert.equal(got.get('Message String'), '0.0.0.0,tcp/22');
    assert.equal(got.get('Username'), 'spauser');
  });
});
