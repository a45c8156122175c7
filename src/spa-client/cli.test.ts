import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, type SpaCliDeps } from '../cli/spa.js';
import { RecordingTransport, type TransportScript } from './recording-transport.js';
import { httpRequest } from './transport.js';
import { decodeSpa } from '../spa/codec.js';
import { MessageType } from '../spa/types.js';

// `portcullis spa` end to end, minus the network: fixed random value, clock
// and salt, a recording transport, an in-memory rc file.

const K = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const H = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';
const KEYS = ['--key-base64-rijndael', K, '--key-base64-hmac', H];

// Deterministic vectors D1, D2, D3, D5 of fwknop-vectors/ (spa_ref.mjs, each accepted by the real fwknopd 2.6.10).
const D1 =
  '8AAQIDBAUGB9RKHMEISV7FLJDeB0YYq1YCI0KlCK1hKcsVccQtq5wE5hwYxeIOCKK6Pqy5oqfyif8ZOxx2I5JUyuWkfJb6/dG+6GssS71JMekDAyYRKYo+4l9OPJWvfOvIXAckvIL1CddbzjD3NdYb+roUINmEfjAPDG+Tcx+7yhj9iFCt4rA7OnIx6bH/m6QfsENRwhbMgbtk0SkuJ7/Y29+xgYVR3AA';
const D2 =
  '+hoqOkpaanqM6c1vCK3ZBWHbKGfnVhEjMnpO1c+29BHAfg6jZxM8hcOqGHT1rSRphjqRrbYK3KcByGs0r8Ki4tbi9fjx0F2+aEO6fjsRyYlArTpASqRGjrhnPKo/PFdDG1Ho6yv3zQO7sKt1pATL7WaDLkVzmfnc2QYLSlA0nnB/XSb6UVAcs5JtR78q2jhGERRfZzakKBQNNna90twWhA0nSJpnwk23k';
const D3 =
  '///////////6u7fe9mmVlQC+bunkYxRoCqpl9GxOj6NxN02ruKeBfQ6ccJW/+/wjfZ2QrpPPUvbH6+Hd6SIDKQA+Ymck7IvTitZagiapsaqn+ME5lz3USL/sjwH3bJ95+0hD7CMO9Wol7N0wGeAGLBCwdNgpkWaX8';
const D5 =
  '8QIDBAUGBwgGRopIBRORzVypJgrjzM2nOqHNkJ0ZoJLWW7wSUYB4Ltt1n+2g82PnV7/YmiM80Lm9TDaIsBzMQ+MtQcOqs5joyLxDk3UgzJgW7CtCvjVGI5ZiBshLKS/Vzv/NpnxQ7ZRWsAgIXPfaeeZ0TYRfHehMLRyV9Tm0gvn7LaRdy7bEFMun/TvciU0/6KQlZH9WtypwcKStyZ2BGTFyKD77cXJexpCqARa8EIAxYNhLt7wq+fc';

interface Fixed {
  readonly random?: string;
  readonly time?: number;
  readonly salt?: string;
  readonly files?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly script?: TransportScript;
  readonly stdin?: string;
}

function harness(f: Fixed = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const transport = new RecordingTransport(f.script);
  const deps: SpaCliDeps = {
    transport,
    now: () => (f.time ?? 1_700_000_000) * 1000,
    random: () => f.random ?? '1234567890123456',
    salt: () => new Uint8Array(Buffer.from(f.salt ?? '0001020304050607', 'hex')),
    env: f.env ?? { HOME: '/home/u', LOGNAME: 'spauser' },
    effectiveUser: () => 'root',
    readFile: (p) => f.files?.[p],
    fileMode: (p) => (f.files?.[p] !== undefined ? 0o600 : undefined),
    stdin: async () => f.stdin ?? '',
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  };
  return { deps, out, err, transport, spa: (...argv: string[]) => run(argv, deps) };
}

test('the exact packets of the deterministic vectors', async () => {
  const d1 = harness();
  assert.equal(await d1.spa('-A', 'tcp/22', '-a', '127.0.0.2', '-D', '127.0.0.1', ...KEYS), 0, d1.err.join('\n'));
  assert.deepEqual(d1.transport.calls, [
    { op: 'resolve', host: '127.0.0.1', family: 0 },
    { op: 'udp', address: '127.0.0.1', port: 62201, payload: D1 },
  ]);
  assert.deepEqual(d1.out, [], 'silent without -v, as fwknop');

  const d2 = harness({ random: '9876543210987654', time: 1_700_000_100, salt: 'a1a2a3a4a5a6a7a8' });
  assert.equal(await d2.spa('-A', 'tcp/22', '-a', '127.0.0.2', '-f', '60', '-D', '127.0.0.1', ...KEYS), 0);
  assert.deepEqual(d2.transport.sent(), [D2]);

  const d3 = harness({ random: '5555555555555555', time: 1_700_000_200, salt: 'ffffffffffffffff', env: { HOME: '/h', USER: 'root' } });
  assert.equal(await d3.spa('-A', 'udp/53', '-a', '127.0.0.2', '-D', '127.0.0.1', '--key-rijndael', 'fwknop-test-pass', '-U', 'root'), 0);
  assert.deepEqual(d3.transport.sent(), [D3]);

  const d5 = harness({ random: '2222222222222222', time: 1_700_000_400, salt: '1020304050607080' });
  assert.equal(await d5.spa('-A', 'tcp/2222', '-a', '127.0.0.2', '-N', '192.168.10.5:22', '-f', '120', '-U', 'root', '-D', '127.0.0.1', ...KEYS), 0);
  assert.deepEqual(d5.transport.sent(), [D5]);
});

test('-P tcp and -P http carry the same packet over TCP; -p sets the port', async () => {
  const tcp = harness();
  assert.equal(await tcp.spa('-A', 'tcp/22', '-a', '127.0.0.2', '-D', 'spa.example', '-P', 'tcp', ...KEYS), 0);
  assert.deepEqual(tcp.transport.calls.at(-1), { op: 'tcp', address: '192.0.2.1', port: 62201, payload: D1 });
  const http = harness();
  assert.equal(await http.spa('-A', 'tcp/22', '-a', '127.0.0.2', '-D', 'spa.example', '-P', 'http', '-p', '8080', ...KEYS), 0);
  assert.deepEqual(http.transport.calls.at(-1), { op: 'tcp', address: '192.0.2.1', port: 8080, payload: httpRequest(D1, 'spa.example') });
});

test('IPv6 servers; --server-resolve-ipv4 asks for IPv4 only', async () => {
  const v6 = harness();
  assert.equal(await v6.spa('-A', 'tcp/22', '-s', '-D', '[fd00::1]', ...KEYS), 0);
  assert.deepEqual(v6.transport.calls.map((c) => [c.op, 'address' in c ? c.address : c.host]), [['resolve', 'fd00::1'], ['udp', 'fd00::1']]);
  const v4 = harness();
  assert.equal(await v4.spa('-A', 'tcp/22', '-s', '-D', 'dual.example', '--server-resolve-ipv4', ...KEYS), 0);
  assert.deepEqual(v4.transport.calls[0], { op: 'resolve', host: 'dual.example', family: 4 });
});

test('NAT targets: a name is resolved to IPv4 on the client; --nat-local names the server', async () => {
  const nat = harness({ script: { resolve: { 'rdp.lan': { address: '192.168.10.9', family: 4 } } } });
  assert.equal(await nat.spa('-A', 'tcp/13389', '-a', '10.0.0.2', '-N', 'rdp.lan:3389', '-D', '10.0.0.1', '-T', ...KEYS), 0);
  assert.deepEqual(nat.transport.calls, [{ op: 'resolve', host: 'rdp.lan', family: 4 }]);
  assert.ok(nat.out.includes('   Message Type: 2 (NAT access msg)'));
  assert.ok(nat.out.includes('     Nat Access: 192.168.10.9,3389'));
  const local = harness();
  assert.equal(await local.spa('-A', 'tcp/22', '-a', '10.0.0.2', '--nat-local', '-f', '30', '-D', '10.0.0.1', '-T', ...KEYS), 0);
  assert.ok(local.out.includes('   Message Type: 6 (Client timeout local NAT access msg)'), local.out.join('\n'));
  assert.ok(local.out.includes('     Nat Access: 10.0.0.1,22'));
  assert.ok(local.out.includes(' Client Timeout: 30'));
  const noPort = harness();
  assert.equal(await noPort.spa('-A', 'tcp/2222,tcp/80', '-a', '10.0.0.2', '-N', '192.168.1.5', '-T', ...KEYS), 0);
  assert.ok(noPort.out.includes('     Nat Access: 192.168.1.5,2222'), 'the NAT port defaults to the first -A port');
  const v6 = harness();
  assert.equal(await v6.spa('-A', 'tcp/22', '-a', '10.0.0.2', '--nat-local', '-D', 'fd00::1', ...KEYS), 1);
  assert.match(v6.err[0]!, /NAT target "fd00::1" is IPv6/);
});

test('--test prints fwknop\'s field dump and sends nothing; -v also shows the transmission', async () => {
  const t = harness();
  assert.equal(await t.spa('--test', '-A', 'tcp/22', '-a', '127.0.0.2', ...KEYS), 0, t.err.join('\n'));
  assert.deepEqual(t.transport.calls, []);
  assert.deepEqual(t.out.slice(0, 20), [
    'SPA Field Values:',
    '=================',
    '   Random Value: 1234567890123456',
    '       Username: spauser',
    '      Timestamp: 1700000000',
    '    FKO Version: 3.0.0',
    '   Message Type: 1 (Access msg)',
    ' Message String: 127.0.0.2,tcp/22',
    '     Nat Access: <NULL>',
    '    Server Auth: <NULL>',
    ' Client Timeout: 0',
    '    Digest Type: 3 (SHA256)',
    '      HMAC Type: 3 (SHA256)',
    'Encryption Type: 1 (Rijndael)',
    'Encryption Mode: 2 (CBC)',
    '   Encoded Data: 1234567890123456:c3BhdXNlcg:1700000000:3.0.0:1:MTI3LjAuMC4yLHRjcC8yMg',
    'SPA Data Digest: nDjHOtgT6S85JEfXnu+YzqxQSe1WSopU62AFJ7Jxce4',
    '           HMAC: OnIx6bH/m6QfsENRwhbMgbtk0SkuJ7/Y29+xgYVR3AA',
    ` Final SPA Data: ${D1}`,
    '',
  ]);
  assert.equal(t.out.at(-1), 'test mode enabled, SPA packet not actually sent.');
  const v = harness();
  assert.equal(await v.spa('-v', '-A', 'tcp/22', '-a', '127.0.0.2', '-D', 'spa.example', ...KEYS), 0);
  assert.deepEqual(v.out.slice(-7), [
    '',
    'Generating SPA packet:',
    '            protocol: udp',
    '         source port: <OS assigned>',
    '    destination port: 62201',
    '             IP/host: spa.example (192.0.2.1)',
    `send_spa_packet: bytes sent: ${D1.length}`,
  ]);
});

test('the username: -U, else $SPOOF_USER, $LOGNAME, the effective user, $USER', async () => {
  const user = async (env: Record<string, string>, ...extra: string[]) => {
    const h = harness({ env });
    await h.spa('-T', '-A', 'tcp/22', '-s', ...KEYS, ...extra);
    return h.out.find((l) => l.includes('Username:'))?.split(': ')[1];
  };
  assert.equal(await user({ SPOOF_USER: 'spoof', LOGNAME: 'log', USER: 'u' }), 'spoof');
  assert.equal(await user({ LOGNAME: 'log', USER: 'u' }), 'log');
  assert.equal(await user({ USER: 'u' }), 'root');
  assert.equal(await user({ SPOOF_USER: 'spoof' }, '-U', 'bob'), 'bob');
});

const RC = `[default]
SPA_SERVER_PORT     40001
[office]
SPA_SERVER          spa.example
ACCESS              tcp/22
ALLOW_IP            127.0.0.2
KEY_BASE64          ${K}
HMAC_KEY_BASE64     ${H}
USE_HMAC            Y
`;

test('-n NAME reads ~/.fwknoprc; the command line overrides the stanza', async () => {
  const h = harness({ files: { '/home/u/.fwknoprc': RC } });
  assert.equal(await h.spa('-n', 'office'), 0, h.err.join('\n'));
  assert.deepEqual(h.transport.calls.at(-1), { op: 'udp', address: '192.0.2.1', port: 40001, payload: D1 });
  const o = harness({ files: { '/home/u/.fwknoprc': RC } });
  assert.equal(await o.spa('-n', 'office', '-p', '62201', '-D', '10.9.9.9', '-A', 'udp/53'), 0);
  const last = o.transport.calls.at(-1);
  assert.deepEqual(last && last.op === 'udp' && [last.address, last.port], ['10.9.9.9', 62201]);
  const check = harness();
  assert.equal(await check.spa('decode', ...KEYS, last && last.op === 'udp' ? last.payload : ''), 0);
  assert.ok(check.out.includes(' Message String: 127.0.0.2,udp/53'), 'ACCESS from the stanza replaced by -A');
  const other = harness({ files: { '/etc/spa.rc': RC } });
  assert.equal(await other.spa('--rc-file', '/etc/spa.rc', '-n', 'office'), 0);
  const none = harness({ files: { '/home/u/.fwknoprc': RC } });
  assert.equal(await none.spa('--no-rc-file', '-A', 'tcp/22', '-s', '-D', 'x', ...KEYS), 0);
  assert.equal((none.transport.calls.at(-1) as { port: number }).port, 62201, '--no-rc-file skips [default] too');
});

async function fails(argv: string[], pattern: RegExp, f: Fixed = {}): Promise<void> {
  const h = harness(f);
  assert.equal(await h.spa(...argv), 1, `${argv.join(' ')} should fail`);
  assert.match(h.err.join('\n'), pattern);
  assert.deepEqual(h.transport.sent(), [], 'nothing sent');
}

test('clear errors, exit 1, nothing sent', async () => {
  const base = ['-A', 'tcp/22', '-a', '127.0.0.2', '-D', 'spa.example'];
  await fails([], /usage: portcullis spa/);
  await fails(['-A', 'tcp/22', '-D', 'x', ...KEYS], /-a ADDRESS, or -s .* \(-R is not supported\)[\s\S]*Try 'portcullis spa --help'/);
  await fails(['-a', '1.2.3.4', '-D', 'x', ...KEYS], /no access request: give -A/);
  await fails(['-A', 'tcp/22', '-s', ...KEYS], /no SPA server: give -D HOST/);
  await fails(base, /no encryption key: give --key-base64-rijndael/);
  await fails([...base, '--key-base64-rijndael', 'not*base64'], /--key-base64-rijndael: "not\*base64" is not base64/);
  await fails([...base, '--key-base64-rijndael', Buffer.alloc(33).toString('base64')], /--key-base64-rijndael: the encryption key is 33 bytes; fwknop needs 1–32/);
  await fails([...base, '--key-rijndael', 'same', '--key-hmac', 'same'], /must differ from the encryption key/);
  await fails([...base, '--key-rijndael', 'k', '--use-hmac'], /HMAC is on .* no HMAC key was given/);
  await fails([...base, '-M', 'legacy', ...KEYS], /legacy IV mode cannot be combined with HMAC/);
  await fails(base.concat(KEYS), /cannot resolve the SPA server "spa\.example": ENOTFOUND/, {
    script: { resolve: { 'spa.example': Object.assign(new Error('getaddrinfo ENOTFOUND spa.example'), { code: 'ENOTFOUND' }) } },
  });
  await fails(['-A', 'tcp/22', '-a', '1.2.3.4', '-N', 'nowhere.lan', '-D', '10.0.0.1', ...KEYS], /cannot resolve the NAT target "nowhere\.lan" to an IPv4 address/, {
    script: { resolve: { 'nowhere.lan': new Error('ENOTFOUND') } },
  });
  await fails(['-n', 'office'], /\/home\/u\/\.fwknoprc does not exist/);
  await fails(['-n', 'home'], /named stanza \[home\] not found \(stanzas: office\)/, { files: { '/home/u/.fwknoprc': RC } });
  await fails(['-A', 'tcp/22', '-a', '127.0.0.2', '-U', 'a:b', '-T', ...KEYS], /cannot build the SPA packet/);
});

test('a failed send is reported with the address and protocol', async () => {
  const h = harness({ script: { sendError: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:62201'), { code: 'ECONNREFUSED' }) } });
  assert.equal(await h.spa('-A', 'tcp/22', '-a', '127.0.0.2', '-D', '10.0.0.1', '-P', 'tcp', ...KEYS), 1);
  assert.match(h.err[0]!, /^portcullis spa: sending over tcp to 10\.0\.0\.1 port 62201 failed: connect ECONNREFUSED/);
});

test('a readable-by-others rc file draws a warning', async () => {
  const h = harness({ files: { '/home/u/.fwknoprc': RC } });
  assert.equal(await run(['-n', 'office', '-T'], { ...h.deps, fileMode: () => 0o644 }), 0);
  assert.match(h.err.join('\n'), /warning: \/home\/u\/\.fwknoprc is readable by others \(mode 644\)/);
});

test('spa decode prints fwknop -v\'s fields, or the codec error and exit 1', async () => {
  const ok = harness();
  assert.equal(await ok.spa('decode', ...KEYS, D1), 0, ok.err.join('\n'));
  assert.equal(ok.out[0], 'SPA Field Values:');
  assert.ok(ok.out.includes('       Username: spauser'));
  assert.ok(ok.out.includes(` Final SPA Data: ${D1}`));
  const stdin = harness({ stdin: `${D2}\n` });
  assert.equal(await stdin.spa('decode', ...KEYS, '-'), 0);
  assert.ok(stdin.out.includes(' Client Timeout: 60'));
  const rc = harness({ files: { '/home/u/.fwknoprc': RC } });
  assert.equal(await rc.spa('decode', '-n', 'office', D1), 0);
  const passphrase = harness();
  assert.equal(await passphrase.spa('decode', '--key-rijndael', 'fwknop-test-pass', D3), 0);
  assert.ok(passphrase.out.includes('      HMAC Type: 0 (None)'));
  const bad = harness();
  assert.equal(await bad.spa('decode', '--key-base64-rijndael', K, '--key-hmac', 'wrong', D1), 1);
  assert.match(bad.err[0]!, /^portcullis spa decode: SPA_BAD_HMAC: /);
  const nokey = harness();
  assert.equal(await nokey.spa('decode', D1), 1);
  assert.match(nokey.err[0]!, /no encryption key/);
});

test('-C / --server-cmd sends a command message (type 0): IP,COMMAND; -A, -N and -f do not apply', async () => {
  const h = harness();
  assert.equal(await h.spa('-C', '/usr/bin/id -u', '-a', '127.0.0.2', '-D', '127.0.0.1', ...KEYS), 0, h.err.join('\n'));
  const sent = h.transport.sent();
  assert.equal(sent.length, 1);
  const decoded = decodeSpa(sent[0]!, { encryption: new Uint8Array(Buffer.from(K, 'base64')), hmac: new Uint8Array(Buffer.from(H, 'base64')), hmacDigest: 'sha256', mode: 'cbc' });
  assert.ok(decoded.ok, JSON.stringify(decoded));
  assert.equal(decoded.value.message.type, MessageType.command);
  assert.equal(decoded.value.message.command, '/usr/bin/id -u');
  assert.equal(decoded.value.message.allowIp, '127.0.0.2');
  assert.deepEqual(decoded.value.message.access, []);
  const t = harness();
  assert.equal(await t.spa('--server-cmd', 'touch /tmp/x', '-A', 'tcp/22', '-f', '60', '-s', '-T', ...KEYS), 0, t.err.join('\n'));
  assert.ok(t.out.includes('   Message Type: 0 (Command msg)'), t.out.join('\n'));
  assert.ok(t.out.includes(' Message String: 0.0.0.0,touch /tmp/x'), t.out.join('\n'));
  await fails(['-C', '', '-a', '1.2.3.4', '-D', 'x', ...KEYS], /--server-cmd: the command is empty/);
  await fails(['-C', 'echo a\tb', '-a', '1.2.3.4', '-D', 'x', ...KEYS], /--server-cmd: the command has a character that is not printable ASCII/);
  await fails(['-C', 'x'.repeat(177), '-a', '1.2.3.4', '-D', 'x', ...KEYS], /--server-cmd: the command is 177 characters; fwknopd decodes at most 176/);
  await fails(['-C', 'id', '-D', 'x', ...KEYS], /say which address the command message carries: -a ADDRESS, or -s/);
  await fails(['-C', 'id', '-s', ...KEYS], /no SPA server: give -D HOST/);
  const long = harness();
  assert.equal(await long.spa('-C', 'x'.repeat(120), '-a', '255.255.255.255', '-U', 'root', '-D', '127.0.0.1', ...KEYS), 0, long.err.join('\n'));
  assert.ok(long.transport.sent()[0]!.length >= 400, 'a command packet may pass 400 characters: fwknopd measures it without its HMAC');
  await fails(['-C', 'x'.repeat(150), '-a', '1.2.3.4', '-D', 'x', ...KEYS], /cannot build the SPA packet: the packet would be \d+ characters/);
});
