import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDecodeArgs, parseSpaArgs, type SpaCommand } from './argv.js';
import { SpaClientError } from './errors.js';

type Send = Extract<SpaCommand, { kind: 'send' }>;

function send(...argv: string[]): Send {
  const r = parseSpaArgs(argv);
  assert.equal(r.kind, 'send');
  return r as Send;
}

function refused(argv: string[], pattern: RegExp): void {
  assert.throws(
    () => parseSpaArgs(argv),
    (e: unknown) => e instanceof SpaClientError && e.code === 'SPA_CLIENT_USAGE' && pattern.test(e.message),
    `${argv.join(' ')} should fail with ${pattern}`,
  );
}

const K = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const H = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';

test('every option, short forms', () => {
  const r = send('-A', 'tcp/22,udp/1194', '-a', '203.0.113.7', '-D', 'spa.example', '-p', '62202', '-P', 'tcp', '-f', '45',
    '-N', '192.168.10.5:22', '-m', 'sha512', '-M', 'CBC', '-U', 'alice', '-n', 'office', '-v', '-T');
  assert.deepEqual(r.cli, {
    key: undefined, hmacKey: undefined, hmacDigest: undefined, mode: 'cbc',
    access: [{ proto: 'tcp', port: 22 }, { proto: 'udp', port: 1194 }],
    allowIp: '203.0.113.7', server: 'spa.example', serverPort: 62202, proto: 'tcp', fwTimeout: 45,
    nat: { host: '192.168.10.5', port: 22 }, natLocal: undefined, command: undefined, digest: 'sha512', useHmac: undefined, user: 'alice',
    resolveIpv4: undefined, verbose: true,
  });
  assert.equal(r.test, true);
  assert.equal(r.stanza, 'office');
  assert.equal(r.noRcFile, false);
});

test('every option, long forms, and the key options', () => {
  const r = send('--access=tcp/22', '--source-ip', '--destination', 'fd00::1', '--server-port', '1', '--server-proto', 'HTTP',
    '--fw-timeout', '0', '--nat-access', 'inside.lan', '--nat-local', '--digest-type', 'SHA3_256', '--hmac-digest-type', 'sha384',
    '--encryption-mode', 'legacy', '--spoof-user', 'x'.repeat(40), '--key-base64-rijndael', K, '--key-hmac', 'hmac pass',
    '--use-hmac', '--server-resolve-ipv4', '--verbose', '--test', '--rc-file', '/tmp/rc');
  assert.equal(r.cli.allowIp, '0.0.0.0');
  assert.equal(r.cli.server, 'fd00::1');
  assert.equal(r.cli.serverPort, 1);
  assert.equal(r.cli.proto, 'http');
  assert.equal(r.cli.fwTimeout, 0);
  assert.deepEqual(r.cli.nat, { host: 'inside.lan' });
  assert.equal(r.cli.natLocal, true);
  assert.equal(r.cli.digest, 'sha3-256');
  assert.equal(r.cli.hmacDigest, 'sha384');
  assert.equal(r.cli.mode, 'legacy');
  assert.equal(r.cli.user, 'x'.repeat(29), 'fwknop keeps 29 characters of -U');
  assert.deepEqual(r.cli.key, { encoding: 'base64', value: K, from: '--key-base64-rijndael' });
  assert.deepEqual(r.cli.hmacKey, { encoding: 'text', value: 'hmac pass', from: '--key-hmac' });
  assert.equal(r.cli.useHmac, true);
  assert.equal(r.cli.resolveIpv4, true);
  assert.equal(r.rcFile, '/tmp/rc');
  const k2 = send('--key-rijndael', 'secret', '--key-base64-hmac', H, '--no-rc-file');
  assert.deepEqual(k2.cli.key, { encoding: 'text', value: 'secret', from: '--key-rijndael' });
  assert.equal(k2.cli.hmacKey?.encoding, 'base64');
  assert.equal(k2.noRcFile, true);
  assert.equal(send('-D', '[fd00::2]').cli.server, 'fd00::2');
  assert.deepEqual(send('-N', '10.1.2.3,3389').cli.nat, { host: '10.1.2.3', port: 3389 });
});

test('--hmac-digest-type implies --use-hmac, as in fwknop', () => {
  assert.equal(send('--hmac-digest-type', 'sha1').cli.useHmac, true);
  assert.equal(send('-A', 'tcp/22').cli.useHmac, undefined);
});

test('help, version and the getopt conventions', () => {
  assert.deepEqual(parseSpaArgs(['-h']), { kind: 'help' });
  assert.deepEqual(parseSpaArgs(['--help', '-A', 'bogus']), { kind: 'help' });
  assert.deepEqual(parseSpaArgs(['-V']), { kind: 'version' });
  const bundled = send('-vTsA', 'tcp/22');
  assert.equal(bundled.cli.verbose, true);
  assert.equal(bundled.test, true);
  assert.equal(bundled.cli.allowIp, '0.0.0.0');
  assert.equal(send('-f30').cli.fwTimeout, 30);
  assert.equal(send('-A', 'tcp/1', '-A', 'udp/2').cli.access?.[0]?.proto, 'udp', 'the last one wins');
});

test('bad values name the option and say what is expected', () => {
  refused(['-A', 'tcp22'], /--access: "tcp22" is not PROTO\/PORT/);
  refused(['-A', 'icmp/0'], /protocol must be tcp or udp/);
  refused(['-A', 'tcp/0'], /"0" is not a port; expected 1-65535/);
  refused(['-A', 'tcp/22,udp/70000'], /udp\/70000/);
  refused(['-a', '2001:db8::1'], /--allow-ip: .* not an IPv4 address/);
  refused(['-a', '10.0.0.256'], /not an IPv4 address/);
  refused(['-p', '65536'], /--server-port: "65536" is not a port/);
  refused(['-p', 'ssh'], /not a port/);
  refused(['-P', 'udpraw'], /raw sockets/);
  refused(['-P', 'sctp'], /expected udp, tcp or http/);
  refused(['-f', '65537'], /0-65536/);
  refused(['-f', '-1'], /--fw-timeout needs a value|not a timeout/);
  refused(['-m', 'sha224'], /expected md5, sha1/);
  refused(['--hmac-digest-type', 'crc32'], /--hmac-digest-type/);
  refused(['-M', 'CTR'], /expected cbc .* or legacy/);
  refused(['-N', 'host:port'], /"port" is not a port/);
  refused(['-N', 'fd00::5'], /not HOST\[:PORT\]/);
  refused(['-U', ''], /empty/);
  refused(['-D', ''], /not a host name/);
});

test('conflicts, unknown options, arguments, and what is not supported', () => {
  refused(['-a', '1.2.3.4', '-s'], /-a ADDRESS or -s, not both/);
  refused(['--key-rijndael', 'a', '--key-base64-rijndael', K], /not both/);
  refused(['--no-rc-file', '-n', 'x'], /--no-rc-file cannot be combined/);
  refused(['--bogus'], /unknown option --bogus/);
  refused(['-Z'], /unknown option -Z/);
  refused(['-A'], /needs a value/);
  refused(['spa.example'], /unexpected argument 'spa.example'.*-D HOST/);
  refused(['-R'], /-R .* not supported: give it with -a ADDRESS, or use -s/);
  refused(['--resolve-ip-https'], /not supported/);
  refused(['-C', ''], /--server-cmd: the command is empty/);
  assert.equal(send('-C', 'ls -l', '-s').cli.command, 'ls -l');
  assert.equal(send('--server-cmd', 'id').cli.command, 'id');
  refused(['--gpg-encryption'], /GPG/);
  refused(['-r'], /random destination port/);
  refused(['--key-gen'], /portcullis keygen/);
});

test('spa decode arguments', () => {
  const r = parseDecodeArgs(['--key-base64-rijndael', K, '--key-base64-hmac', H, '--hmac-digest-type', 'sha512', '-M', 'legacy', 'PKT']);
  assert.equal(r.kind, 'decode');
  if (r.kind !== 'decode') return;
  assert.equal(r.packet, 'PKT');
  assert.equal(r.cli.hmacDigest, 'sha512');
  assert.equal(r.cli.mode, 'legacy');
  assert.equal(r.cli.key?.value, K);
  const n = parseDecodeArgs(['-n', 'office', '--rc-file', '/x', '-']);
  assert.deepEqual([n.kind === 'decode' && n.packet, n.kind === 'decode' && n.stanza], ['-', 'office']);
  assert.deepEqual(parseDecodeArgs(['-h']), { kind: 'help' });
  assert.throws(() => parseDecodeArgs([]), /expected the PACKET/);
  assert.throws(() => parseDecodeArgs(['a', 'b']), /one PACKET/);
  assert.throws(() => parseDecodeArgs(['-A', 'tcp/22', 'P']), /unknown option -A/);
});
