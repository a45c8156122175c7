import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFwknoprc, stanzaNames, stanzaSettings } from './fwknoprc.js';
import { SpaClientError } from './errors.js';

const K = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const H = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';

// The head of the template fwknop 2.6.10 writes when there is no rc file
// (create_fwknoprc() in client/config_init.c), then stanzas as
// `fwknop -n NAME ... --save-rc-stanza` appends them (RC_PARAM_TEMPLATE "%-24s    %s").
const RC = `# .fwknoprc
##############################################################################
#
# Firewall Knock Operator (fwknop) client rc file.
#
##############################################################################
#
[default]

#DIGEST_TYPE         sha256
#FW_TIMEOUT          30
#SPA_SERVER_PORT     62201
#SPA_SERVER_PROTO    udp
#ALLOW_IP            <IP address>
#SPOOF_USER          <username>
#NO_SAVE_ARGS        N

# User-provided named stanzas:

#[myssh]
#SPA_SERVER          192.168.1.20
#ACCESS              tcp/22
#ALLOW_IP            resolve
#

[spatest]
FW_TIMEOUT                  30
ALLOW_IP                    127.0.0.2
ACCESS                      tcp/22
SPA_SERVER                  127.0.0.1
KEY_BASE64                  ${K}
HMAC_KEY_BASE64             ${H}
USE_HMAC                    Y
NO_SAVE_ARGS                Y

[office]
SPA_SERVER          spa.example.org
SPA_SERVER_PORT     40001
SPA_SERVER_PROTO    http
ACCESS              tcp/22,tcp/443
ALLOW_IP            source
KEY:                office pass
HMAC_KEY_BASE64:    ${H}   # keys from portcullis keygen
HMAC_DIGEST_TYPE    sha512
DIGEST_TYPE         SHA384
SPOOF_USER          alice
NAT_ACCESS          192.168.10.5,3389
NAT_LOCAL           N
ENCRYPTION_MODE     CBC;
VERBOSE             Y
USE_GPG             N
`;

const rc = parseFwknoprc(RC, '/home/a/.fwknoprc');

test('stanzas are listed as fwknop --stanza-list lists them (not [default], not commented ones)', () => {
  assert.deepEqual(stanzaNames(rc), ['spatest', 'office']);
});

test('a --save-rc-stanza stanza', () => {
  assert.deepEqual(stanzaSettings(rc, 'spatest'), {
    fwTimeout: 30,
    allowIp: '127.0.0.2',
    access: [{ proto: 'tcp', port: 22 }],
    server: '127.0.0.1',
    key: { encoding: 'base64', value: K, from: '/home/a/.fwknoprc:31 KEY_BASE64' },
    hmacKey: { encoding: 'base64', value: H, from: '/home/a/.fwknoprc:32 HMAC_KEY_BASE64' },
    useHmac: true,
  });
});

test('a hand-written stanza: trailing colons, comments, values ending at space or ";"', () => {
  const s = stanzaSettings(rc, 'OFFICE'); // stanza names match case-insensitively
  assert.equal(s.server, 'spa.example.org');
  assert.equal(s.serverPort, 40001);
  assert.equal(s.proto, 'http');
  assert.deepEqual(s.access, [{ proto: 'tcp', port: 22 }, { proto: 'tcp', port: 443 }]);
  assert.equal(s.allowIp, '0.0.0.0');
  assert.deepEqual(s.key, { encoding: 'text', value: 'office', from: '/home/a/.fwknoprc:42 KEY' }, 'a value ends at the first space');
  assert.equal(s.hmacKey?.value, H);
  assert.equal(s.hmacDigest, 'sha512');
  assert.equal(s.digest, 'sha384');
  assert.equal(s.user, 'alice');
  assert.deepEqual(s.nat, { host: '192.168.10.5', port: 3389 });
  assert.equal(s.natLocal, undefined);
  assert.equal(s.mode, 'cbc');
  assert.equal(s.verbose, true);
});

test('[default] applies to every stanza and the named stanza overrides it', () => {
  const r = parseFwknoprc(`[default]\nSPA_SERVER_PORT 40000\nDIGEST_TYPE md5\nKEY_BASE64 ${K}\n\n[a]\nDIGEST_TYPE sha1\n[b]\nSPA_SERVER b.example\n[a]\nACCESS udp/53\n`, 'rc');
  assert.deepEqual(stanzaSettings(r), { serverPort: 40000, digest: 'md5', key: { encoding: 'base64', value: K, from: 'rc:4 KEY_BASE64' } });
  const a = stanzaSettings(r, 'a');
  assert.equal(a.serverPort, 40000);
  assert.equal(a.digest, 'sha1');
  assert.deepEqual(a.access, [{ proto: 'udp', port: 53 }], 'every [a] section is read, as fwknop does');
  assert.equal(a.server, undefined);
});

test('only the stanzas in use are checked', () => {
  const r = parseFwknoprc('[good]\nACCESS tcp/22\n[broken]\nACCESS tcp/x\nnot a pair\n', 'rc');
  assert.deepEqual(stanzaSettings(r, 'good').access, [{ proto: 'tcp', port: 22 }]);
  assert.throws(() => stanzaSettings(r, 'broken'), /rc:4: ACCESS "tcp\/x": "x" is not a port/);
});

function rcError(text: string, stanza: string | undefined, pattern: RegExp): void {
  assert.throws(
    () => stanzaSettings(parseFwknoprc(text, 'rc'), stanza),
    (e: unknown) => e instanceof SpaClientError && e.code === 'SPA_CLIENT_RC_FILE' && pattern.test(e.message),
    `${JSON.stringify(text)} should fail with ${pattern}`,
  );
}

test('errors name the file, the line and what is wrong', () => {
  rcError('[a]\nACCESS tcp/22\n', 'b', /^rc: named stanza \[b\] not found \(stanzas: a\)$/);
  rcError('[default]\n', 'b', /the file has no named stanzas/);
  rcError('[a]\nCLIENT_TIMEOUT 60\n', 'a', /rc:2: unknown variable CLIENT_TIMEOUT \(fwknop's own name is FW_TIMEOUT/);
  rcError('[a]\nSERVER_PORT 1\n', 'a', /did you mean SPA_SERVER_PORT/);
  rcError('[a]\nACCESS\n', 'a', /rc:2: "ACCESS" is not VAR VALUE/);
  rcError('[a]\nKEY #secret\n', 'a', /is not VAR VALUE/);
  rcError('[a]\nALLOW_IP resolve\n', 'a', /rc:2: ALLOW_IP resolve: .* not supported/);
  rcError('[a]\nALLOW_IP 10.1.1\n', 'a', /not an IPv4 address/);
  rcError('[a]\nSPA_SERVER_PROTO icmp\n', 'a', /raw sockets/);
  rcError('[a]\nFW_TIMEOUT 99999\n', 'a', /0-65536/);
  rcError('[a]\nUSE_GPG Y\n', 'a', /USE_GPG Y: GPG encryption is not supported/);
  rcError('[a]\nRAND_PORT y\n', 'a', /random destination port/);
  rcError('[a]\nRESOLVE_IP_HTTPS Y\n', 'a', /resolving the external address/);
  rcError('[a]\nSPOOF_SOURCE_IP 1.2.3.4\n', 'a', /SPOOF_SOURCE_IP is not supported/);
  rcError('[a]\nTIME_OFFSET 60\n', 'a', /TIME_OFFSET is not supported/);
  rcError('[default]\nDIGEST_TYPE sha224\n[a]\n', 'a', /rc:2: DIGEST_TYPE "sha224"/);
});

test('harmless variables are accepted: N for unsupported features, settings of GPG and -R', () => {
  const r = parseFwknoprc('[a]\nUSE_GPG N\nRAND_PORT N\nGPG_HOMEDIR /x\nRESOLVE_URL https://x\nWGET_CMD /usr/bin/wget\nNO_SAVE_ARGS Y\nSERVER_RESOLVE_IPV4 Y\nNAT_LOCAL Y\n', 'rc');
  assert.deepEqual(stanzaSettings(r, 'a'), { resolveIpv4: true, natLocal: true });
});

test('lines before the first stanza, blank lines and indented comments are ignored; CRLF files work', () => {
  const r = parseFwknoprc('ACCESS tcp/1\r\n\r\n[a]\r\n   # indented comment\r\n\tACCESS  tcp/2\r\n; semicolon comment\r\n', 'rc');
  assert.deepEqual(stanzaSettings(r, 'a').access, [{ proto: 'tcp', port: 2 }]);
});
