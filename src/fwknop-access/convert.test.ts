import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, ConfigErrors } from '../config/errors.js';
import { parseConfig } from '../config/parse.js';
import {
  CONVERTED_KEYWORDS, MAX_INCLUDE_DEPTH,
  appendConverted, convertAccessConf, relocateErrors, splitAccessLines, type AccessConfIO,
} from './convert.js';

const FILE = '/etc/fwknop/access.conf';
// Key set "A" of the research vectors (fwknop --key-gen output).
const K = 'cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=';
const H = 'lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==';

const files = (map: Record<string, string>, folders?: Record<string, string[]>): AccessConfIO => ({
  readFile: (p) => map[p],
  ...(folders && { listFolder: (p: string) => folders[p] }),
});
const none = files({});

const convert = (text: string, io: AccessConfIO = none) => convertAccessConf(text, FILE, io);

function errorsOf(text: string, io: AccessConfIO = none): ConfigError[] {
  try {
    convert(text, io);
  } catch (e) {
    assert.ok(e instanceof ConfigErrors, String(e));
    return [...e.errors];
  }
  assert.fail('expected ConfigErrors');
}
const messages = (text: string, io: AccessConfIO = none) => errorsOf(text, io).map((e) => e.message);

/** A valid stanza (lines 1–3) with more lines after it. */
const stanza = (...more: string[]) => ['SOURCE ANY', `KEY_BASE64 ${K}`, 'OPEN_PORTS tcp/22', ...more].join('\n');

/** The door body Portcullis gets for `stanza()` with nothing more. */
const BASIC = [
  '# from /etc/fwknop/access.conf:1',
  '[fwknop-1]',
  `key_base64 = ${K}`,
  'open_ports = tcp/22',
  'require_source_address = no',
  'fw_access_timeout = 30',
  'max_fw_timeout = 300',
  '',
].join('\n');

// ---------------------------------------------------------------------------
// Debian's shipped access.conf (fwknop-server 2.6.10): all comments, then one
// stanza with placeholder keys and no OPEN_PORTS. The copy below keeps the
// stanza at its line (204) and the shape of the file (commented directives,
// commented GPG lines after the stanza); the comment text is our own.

const DEBIAN_STANZA = ['SOURCE              ANY', 'KEY_BASE64          __CHANGEME__', 'HMAC_KEY_BASE64     __CHANGEME__'];
const DEBIAN_LIKE = [
  ...Array.from({ length: 203 }, (_, i) => (i % 10 === 0 ? '' : i % 7 === 0 ? '# %include /etc/fwknop/other.conf' : `# comment ${i + 1}`)),
  ...DEBIAN_STANZA,
  '',
  '# GnuPG instead of Rijndael:',
  '#',
  '#GPG_HOME_DIR           /homedir/path/.gnupg',
  '#GPG_DECRYPT_ID         ABCD1234',
  '#GPG_DECRYPT_PW         __CHANGEME__',
  '',
  '#GPG_REQUIRE_SIG                    Y',
  '#GPG_IGNORE_SIG_VERIFY_ERROR        N',
  '#GPG_REMOTE_ID                      1234ABCD',
  '',
].join('\n');

const PLACEHOLDER_ERROR = '__CHANGEME__ is the placeholder of fwknop\'s sample access.conf, and fwknopd refuses it too; expected a real key, e.g. from fwknop --key-gen (it prints KEY_BASE64 and HMAC_KEY_BASE64 lines)';
const NO_OPEN_PORTS = 'this stanza has no OPEN_PORTS, so fwknopd opens whatever port a client asks for; expected OPEN_PORTS with the ports clients may open, e.g. OPEN_PORTS tcp/22 (a Portcullis SPA door opens only those)';

function debianErrors(file: string, sourceLine: number): string[] {
  return [
    `${file}:${sourceLine}: SOURCE: ${NO_OPEN_PORTS}`,
    `${file}:${sourceLine + 1}: KEY_BASE64: ${PLACEHOLDER_ERROR}`,
    `${file}:${sourceLine + 2}: HMAC_KEY_BASE64: ${PLACEHOLDER_ERROR}`,
  ];
}

/** The shipped file with real keys in place of the placeholders and an OPEN_PORTS line at its end. */
function filledIn(text: string): string {
  const out = text.replace(/^(KEY_BASE64\s+)__CHANGEME__/m, `$1${K}`).replace(/^(HMAC_KEY_BASE64\s+)__CHANGEME__/m, `$1${H}`);
  assert.notEqual(out, text);
  return `${out}${out.endsWith('\n') ? '' : '\n'}OPEN_PORTS          tcp/22\n`;
}

const DEBIAN_FILLED_IN = (file: string, sourceLine: number) => [
  `# from ${file}:${sourceLine}`,
  '[fwknop-1]',
  `key_base64 = ${K}`,
  `hmac_key_base64 = ${H}`,
  'open_ports = tcp/22',
  'require_source_address = no',
  'fw_access_timeout = 30',
  'max_fw_timeout = 300',
  '',
].join('\n');

test('a Debian-like access.conf as shipped: the placeholders and the missing OPEN_PORTS, all at once', () => {
  assert.deepEqual(messages(DEBIAN_LIKE), debianErrors(FILE, 204));
});

test('a Debian-like access.conf with its keys filled in converts to one SPA door with fwknopd\'s defaults written out', () => {
  const r = convert(filledIn(DEBIAN_LIKE));
  assert.equal(r.doors, 1);
  assert.equal(r.sections, DEBIAN_FILLED_IN(FILE, 204));
});

// The real file, when fwknop-server is installed and readable (it is mode 0600).
let shipped: string | undefined;
try {
  shipped = readFileSync(FILE, 'utf8');
} catch {
  shipped = undefined;
}
const shippedSource = shipped === undefined ? 0 : shipped.split('\n').findIndex((l) => l.startsWith('SOURCE')) + 1;

test('/etc/fwknop/access.conf of this machine\'s fwknop-server: the same errors, and the same door once filled in',
  { skip: shipped === undefined ? 'fwknop-server\'s access.conf is not installed or not readable' : false }, () => {
    assert.ok(shippedSource > 0);
    assert.deepEqual(messages(shipped!), debianErrors(FILE, shippedSource));
    assert.equal(convert(filledIn(shipped!)).sections, DEBIAN_FILLED_IN(FILE, shippedSource));
  });

// ---------------------------------------------------------------------------
// A realistic multi-stanza file.

const REALISTIC = [
  '# fwknopd access.conf: most specific SOURCE first, ANY last.', //    1
  '', //                                                                2
  '### the admin workstation', //                                      3
  'SOURCE:             192.168.10.5', //                                4
  `KEY_BASE64:         ${K}`, //                                        5
  `HMAC_KEY_BASE64:    ${H};`, //                                       6
  'HMAC_DIGEST_TYPE    SHA512', //                                      7
  'OPEN_PORTS          tcp/22, tcp/443, TCP/22', //                     8
  'FW_ACCESS_TIMEOUT   60; one minute', //                              9
  'MAX_FW_TIMEOUT      3600', //                                        10
  'REQUIRE_SOURCE_ADDRESS  Y', //                                       11
  'REQUIRE_USERNAME    alice', //                                       12
  '', //                                                                13
  '### office and VPN networks', //                                    14
  'SOURCE  192.168.10.0/24,10.8.0.0/255.255.0.0 , 2001:db8::/32', //    15
  'KEY                 correct horse battery staple', //                16
  'HMAC_KEY            another passphrase, not the same', //            17
  'ENCRYPTION_MODE     CBC', //                                         18
  'OPEN_PORTS          tcp/22,udp/1194', //                             19
  'REQUIRE_SOURCE      yes', //                                         20
  'ENABLE_CMD_EXEC     N', //                                           21
  'GPG_REQUIRE_SIG     N', //                                           22
  '', //                                                                23
  '### old clients (fwknop < 2.5), from anywhere', //                  24
  '\tSOURCE\tANY', //                                                   25
  `KEY_BASE64 ${K}`, //                                                 26
  'ENCRYPTION_MODE legacy', //                                          27
  'OPEN_PORTS tcp/22', //                                               28
  'FW_ACCESS_TIMEOUT 0', //                                             29
  'MAX_FW_TIMEOUT 0', //                                                30
  'REQUIRE_SOURCE_ADDRESS N', //                                        31
  '', //                                                                32
].join('\n');

const REALISTIC_OUT = [
  '# from /etc/fwknop/access.conf:4', //                                1
  '[fwknop-1]', //                                                      2
  'source = 192.168.10.5', //                                           3
  `key_base64 = ${K}`, //                                               4
  `hmac_key_base64 = ${H}`, //                                          5
  'hmac_digest_type = sha512', //                                       6
  'open_ports = tcp/22, tcp/443', //                                    7
  'require_username = alice', //                                        8
  'require_source_address = yes', //                                    9
  'fw_access_timeout = 60', //                                          10
  'max_fw_timeout = 3600', //                                           11
  '', //                                                                12
  '# from /etc/fwknop/access.conf:15', //                               13
  '[fwknop-2]', //                                                      14
  'source = 192.168.10.0/24, 10.8.0.0/16, 2001:db8::/32', //            15
  'key = correct horse battery staple', //                              16
  'hmac_key = another passphrase, not the same', //                     17
  'encryption_mode = cbc', //                                           18
  'open_ports = tcp/22, udp/1194', //                                   19
  'require_source_address = yes', //                                    20
  'fw_access_timeout = 30', //                                          21
  'max_fw_timeout = 300', //                                            22
  '', //                                                                23
  '# from /etc/fwknop/access.conf:25', //                               24
  '[fwknop-3]', //                                                      25
  `key_base64 = ${K}`, //                                               26
  'encryption_mode = legacy', //                                        27
  'open_ports = tcp/22', //                                             28
  'require_source_address = no', //                                     29
  'fw_access_timeout = 30', //                                          30
  'max_fw_timeout = 300', //                                            31
  '',
].join('\n');

test('a realistic multi-stanza file: one door per stanza, in file order, values in Portcullis form', () => {
  const r = convert(REALISTIC);
  assert.equal(r.doors, 3);
  assert.equal(r.sections, REALISTIC_OUT);
});

test('lineOrigins maps every key line of the output to its access.conf line and keyword; defaults to the SOURCE line', () => {
  const r = convert(REALISTIC);
  assert.equal(r.lineOrigins.length, REALISTIC_OUT.split('\n').length - 1);
  const at = (n: number) => r.lineOrigins[n - 1];
  assert.equal(at(1), undefined);
  assert.deepEqual(at(2), { file: FILE, line: 4, key: 'SOURCE' });
  assert.deepEqual(at(5), { file: FILE, line: 6, key: 'HMAC_KEY_BASE64' });
  assert.deepEqual(at(10), { file: FILE, line: 9, key: 'FW_ACCESS_TIMEOUT' });
  assert.equal(at(12), undefined);
  assert.deepEqual(at(20), { file: FILE, line: 20, key: 'REQUIRE_SOURCE' });
  assert.deepEqual(at(21), { file: FILE, line: 15, key: 'SOURCE' }); // the default fw_access_timeout
  assert.deepEqual(at(30), { file: FILE, line: 29, key: 'FW_ACCESS_TIMEOUT' }); // 0: the default
});

test('an empty result has no text and no doors only when there are errors; a file without stanzas is an error', () => {
  assert.deepEqual(messages(''), [`${FILE}:1: SOURCE: the file has no stanza; expected at least one, starting with a SOURCE line (fwknopd refuses such a file too)`]);
  assert.deepEqual(messages('# only comments\n\n'), [`${FILE}:1: SOURCE: the file has no stanza; expected at least one, starting with a SOURCE line (fwknopd refuses such a file too)`]);
});

// ---------------------------------------------------------------------------
// Reading lines as fwknopd does.

test('splitAccessLines: comments by first character, the keyword to the first blank, a ";" or CR ending the value, a ":" cut off', () => {
  const text = '\ufeff# c\n; also a comment\n  # indented comment\n   \n\nSOURCE: ANY\r\nKEY  pass word ;comment\nHMAC_KEY\r\nOPEN_PORTS ;x\nX:Y: v\n';
  assert.deepEqual(splitAccessLines(text), [
    { line: 6, keyword: 'SOURCE', raw: 'ANY' },
    { line: 7, keyword: 'KEY', raw: 'pass word ' },
    { line: 8, keyword: 'HMAC_KEY', raw: undefined },
    { line: 9, keyword: 'OPEN_PORTS', raw: undefined },
    { line: 10, keyword: 'X:Y', raw: 'v' },
  ]);
});

test('CRLF files, a trailing ";" and a trailing ":" convert like plain ones', () => {
  const text = `SOURCE: ANY;\r\nKEY_BASE64: ${K};\r\nOPEN_PORTS:  tcp/22 ; ssh\r\n`;
  assert.equal(convert(text).sections, BASIC);
});

test('a value ends at the first ";": the rest of the line is ignored, as fwknopd does', () => {
  assert.equal(convert(stanza('REQUIRE_USERNAME bob;carol')).sections.includes('require_username = bob\n'), true);
});

test('Y/N switches: Y, y, yes and N, n, no; anything else is an error, since fwknopd reads it as N unless it starts with Y', () => {
  for (const [v, out] of [['Y', 'yes'], ['y', 'yes'], ['Yes', 'yes'], ['N', 'no'], ['n', 'no'], ['NO', 'no']] as const) {
    assert.ok(convert(stanza(`REQUIRE_SOURCE_ADDRESS ${v}`)).sections.includes(`require_source_address = ${out}\n`), v);
  }
  assert.deepEqual(messages(stanza('REQUIRE_SOURCE_ADDRESS true', 'REQUIRE_SOURCE 1', 'ENABLE_CMD_EXEC off', 'FORWARD_ALL maybe')), [
    `${FILE}:4: REQUIRE_SOURCE_ADDRESS: "true" is not Y or N; expected Y or N (fwknopd reads any value not starting with Y as N)`,
    `${FILE}:5: REQUIRE_SOURCE: "1" is not Y or N; expected Y or N (fwknopd reads any value not starting with Y as N)`,
    `${FILE}:6: ENABLE_CMD_EXEC: "off" is not Y or N; expected Y or N (fwknopd reads any value not starting with Y as N)`,
    `${FILE}:7: FORWARD_ALL: "maybe" is not Y or N; expected Y or N (fwknopd reads any value not starting with Y as N)`,
  ]);
});

test('a repeated keyword replaces the earlier one, and KEY and KEY_BASE64 set the same key (the later wins)', () => {
  const out = convert(stanza('OPEN_PORTS udp/53', 'KEY passphrase', `HMAC_KEY_BASE64 ${H}`, 'HMAC_KEY other')).sections;
  assert.ok(out.includes('open_ports = udp/53\n'));
  assert.ok(!out.includes('key_base64'));
  assert.ok(out.includes('\nkey = passphrase\n'));
  assert.ok(!out.includes('hmac_key_base64'));
  assert.ok(out.includes('\nhmac_key = other\n'));
});

test('SOURCE: ANY anywhere in the list means any source; duplicates dropped; hosts stay bare', () => {
  assert.equal(convert(`SOURCE 10.0.0.0/8, any\nKEY_BASE64 ${K}\nOPEN_PORTS tcp/22`).sections, BASIC);
  const out = convert(`SOURCE 10.0.0.1, 10.0.0.1/32, 10.0.0.1, 0.0.0.0/0\nKEY_BASE64 ${K}\nOPEN_PORTS tcp/22`).sections;
  assert.ok(out.includes('\nsource = 10.0.0.1, 10.0.0.1/32, 0.0.0.0/0\n'));
});

test('a stanza continues after an %include: fwknopd gives the lines to the stanza above it; stanzas are numbered in reading order', () => {
  const io = files({
    '/etc/fwknop/extra.conf': `SOURCE 10.0.0.0/8\nKEY_BASE64 ${K}\nOPEN_PORTS tcp/80\n`,
  });
  const text = `SOURCE 192.0.2.1\nKEY_BASE64 ${K}\n%include extra.conf\nOPEN_PORTS tcp/22\nSOURCE ANY\nKEY_BASE64 ${K}\nOPEN_PORTS tcp/443\n`;
  const r = convert(text, io);
  assert.equal(r.doors, 3);
  assert.equal(r.sections, [
    '# from /etc/fwknop/access.conf:1',
    '[fwknop-1]',
    'source = 192.0.2.1',
    `key_base64 = ${K}`,
    'open_ports = tcp/22',
    'require_source_address = no',
    'fw_access_timeout = 30',
    'max_fw_timeout = 300',
    '',
    '# from /etc/fwknop/extra.conf:1',
    '[fwknop-2]',
    'source = 10.0.0.0/8',
    `key_base64 = ${K}`,
    'open_ports = tcp/80',
    'require_source_address = no',
    'fw_access_timeout = 30',
    'max_fw_timeout = 300',
    '',
    '# from /etc/fwknop/access.conf:5',
    '[fwknop-3]',
    `key_base64 = ${K}`,
    'open_ports = tcp/443',
    'require_source_address = no',
    'fw_access_timeout = 30',
    'max_fw_timeout = 300',
    '',
  ].join('\n'));
  assert.deepEqual(r.lineOrigins[12], { file: '/etc/fwknop/extra.conf', line: 2, key: 'KEY_BASE64' });
});

test('%include_keys reads the keys of the current stanza from another file, with that file\'s line numbers in errors', () => {
  const io = files({
    '/etc/fwknop/keys/alice.conf': `# alice\nKEY_BASE64 ${K}\nHMAC_KEY_BASE64: ${H};\n`,
    '/etc/fwknop/keys/bad.conf': 'KEY_BASE64 __CHANGEME__\nOPEN_PORTS tcp/22\nHMAC_DIGEST_TYPE sha512\nGPG_DECRYPT_PW x\nSOURCE ANY\nHMAC_KEY\n',
  });
  const out = convert('SOURCE ANY\nOPEN_PORTS tcp/22\n%include_keys /etc/fwknop/keys/alice.conf\n', io).sections;
  assert.equal(out, [
    '# from /etc/fwknop/access.conf:1',
    '[fwknop-1]',
    `key_base64 = ${K}`,
    `hmac_key_base64 = ${H}`,
    'open_ports = tcp/22',
    'require_source_address = no',
    'fw_access_timeout = 30',
    'max_fw_timeout = 300',
    '',
  ].join('\n'));
  const ignored = 'fwknopd ignores this in an %include_keys file, which holds only KEY, KEY_BASE64, HMAC_KEY, HMAC_KEY_BASE64 (and GPG_*) lines; expected it in the stanza itself, above the %include_keys line (/etc/fwknop/access.conf:3)';
  assert.deepEqual(messages('SOURCE ANY\nOPEN_PORTS tcp/22\n%include_keys keys/bad.conf\nREQUIRE_USERNAME x y\n', io), [
    `/etc/fwknop/keys/bad.conf:1: KEY_BASE64: ${PLACEHOLDER_ERROR}`,
    `/etc/fwknop/keys/bad.conf:2: OPEN_PORTS: ${ignored}`,
    `/etc/fwknop/keys/bad.conf:3: HMAC_DIGEST_TYPE: ${ignored}`,
    `/etc/fwknop/keys/bad.conf:4: GPG_DECRYPT_PW: GPG-encrypted SPA is not supported by Portcullis yet; expected Rijndael keys instead: KEY_BASE64 and HMAC_KEY_BASE64 from fwknop --key-gen (clients: --key-base64-rijndael, --key-base64-hmac, --use-hmac)`,
    `/etc/fwknop/keys/bad.conf:5: SOURCE: ${ignored}`,
    '/etc/fwknop/keys/bad.conf:6: HMAC_KEY: no value; expected HMAC_KEY and its value on one line (a ";" ends the value)',
  ]);
  assert.deepEqual(messages('SOURCE ANY\nOPEN_PORTS tcp/22\n%include_keys /nowhere/keys.conf\n'), [
    `${FILE}:3: %include_keys: cannot read "/nowhere/keys.conf"; expected an existing file with this stanza's keys (fwknopd would drop the stanza without a word)`,
  ]);
  assert.deepEqual(messages(`%include_keys /etc/fwknop/keys/alice.conf\n${stanza()}`, io), [
    `${FILE}:1: %include_keys: comes before any SOURCE line (fwknopd ignores it); expected it inside a stanza: each stanza starts with SOURCE`,
  ]);
});

test('%include: relative to the including file, missing files, loops, and fwknopd\'s limit of 3 levels of files', () => {
  const body = (n: number) => `SOURCE 10.0.0.${n}\nKEY_BASE64 ${K}\nOPEN_PORTS tcp/22\n`;
  const io = files({
    '/etc/fwknop/a.conf': `${body(1)}%include b.conf\n`,
    '/etc/fwknop/b.conf': `${body(2)}%include /etc/fwknop/c.conf\n`,
    '/etc/fwknop/c.conf': body(3),
    '/etc/fwknop/loop.conf': `${body(4)}%include loop.conf\n`,
  });
  assert.equal(MAX_INCLUDE_DEPTH, 3);
  assert.equal(convert('%include b.conf\n', io).doors, 2);
  assert.deepEqual(messages('%include a.conf\n', io), [
    '/etc/fwknop/b.conf:4: %include: "/etc/fwknop/c.conf" would be a 4th level of files, and fwknopd refuses to go deeper than 3; expected it included from a file nearer the top',
  ]);
  assert.deepEqual(messages('%include loop.conf\n', io), [
    '/etc/fwknop/loop.conf:4: %include: "/etc/fwknop/loop.conf" is already being read, so it would include itself; expected no include loop',
  ]);
  assert.deepEqual(messages(`${stanza()}\n%include missing.conf\n`, io), [
    `${FILE}:4: %include: cannot read "/etc/fwknop/missing.conf"; expected an existing access.conf file (fwknopd refuses a missing one too)`,
  ]);
});

test('%include_folder: *.conf* files in name order when the io can list folders, else an error', () => {
  const body = (n: number) => `SOURCE 10.0.0.${n}\nKEY_BASE64 ${K}\nOPEN_PORTS tcp/22\n`;
  const map = { '/etc/fwknop/d/b.conf': body(2), '/etc/fwknop/d/a.conf': body(1), '/etc/fwknop/d/c.conf~': body(3) };
  const io = files(map, { '/etc/fwknop/d': ['b.conf', 'README', 'c.conf~', 'a.conf', 'x.conf.bak'] });
  const out = convert('%include_folder /etc/fwknop/d/\n', io).sections;
  assert.deepEqual([...out.matchAll(/^# from (.*)$/gm)].map((m) => m[1]), ['/etc/fwknop/d/a.conf:1', '/etc/fwknop/d/b.conf:1', '/etc/fwknop/d/c.conf~:1']);
  assert.deepEqual(messages(`${stanza()}\n%include_folder d\n`, files(map)), [
    `${FILE}:4: %include_folder: folders cannot be read here; expected an %include line for each file in "/etc/fwknop/d"`,
  ]);
  assert.deepEqual(messages(`${stanza()}\n%include_folder /srv/none\n`, files({}, {})), [
    `${FILE}:4: %include_folder: cannot read the folder "/srv/none"; expected an existing folder of .conf files`,
  ]);
});

// ---------------------------------------------------------------------------
// Options Portcullis does not support yet: one error each, saying what to do.

const GPG = 'GPG-encrypted SPA is not supported by Portcullis yet; expected Rijndael keys instead: KEY_BASE64 and HMAC_KEY_BASE64 from fwknop --key-gen (clients: --key-base64-rijndael, --key-base64-hmac, --use-hmac)';
const NAT = (k: string) => `NAT for SPA doors is not supported by Portcullis yet; expected no ${k} line (for gateway access to an inside host, a knock door with forward = tcp/PORT -> HOST:PORT)`;
const CYCLE = (k: string) => `command cycles are not supported in converted stanzas yet; expected no ${k} line: let Portcullis open OPEN_PORTS through its firewall backend, or write this stanza as an SPA door in the Portcullis config with Start_Command/Stop_Command (%IP% for $IP)`;
const SUDO = (k: string) => `Portcullis runs command messages directly as CMD_EXEC_USER, never through sudo; expected no ${k} line: CMD_EXEC_USER (and CMD_EXEC_GROUP) name the account the command runs as, and cmd_allow in the Portcullis config limits which commands run`;

const UNSUPPORTED: [string, string, string][] = [
  ['DESTINATION', '192.0.2.10', 'not supported by Portcullis yet; expected no DESTINATION line (an SPA door takes packets sent to any address of the host; capture on fewer interfaces with -i to narrow it)'],
  ['RESTRICT_PORTS', 'tcp/23', 'not supported by Portcullis yet; expected the ports clients may open listed in OPEN_PORTS instead (Portcullis refuses every port not listed there)'],
  ['CMD_CYCLE_OPEN', '/usr/local/bin/open $IP $PORT', CYCLE('CMD_CYCLE_OPEN')],
  ['CMD_CYCLE_CLOSE', '/usr/local/bin/close $IP', CYCLE('CMD_CYCLE_CLOSE')],
  ['CMD_CYCLE_TIMER', '30', CYCLE('CMD_CYCLE_TIMER')],
  ['ACCESS_EXPIRE', '12/31/2030', 'not supported by Portcullis yet; expected no ACCESS_EXPIRE line: remove the stanza when its access should end'],
  ['ACCESS_EXPIRE_EPOCH', '1924905600', 'not supported by Portcullis yet; expected no ACCESS_EXPIRE_EPOCH line: remove the stanza when its access should end'],
  ['FORCE_NAT', '192.168.1.10 22', NAT('FORCE_NAT')],
  ['FORCE_SNAT', '203.0.113.5', NAT('FORCE_SNAT')],
  ['FORCE_MASQUERADE', 'Y', NAT('FORCE_MASQUERADE')],
  ['DISABLE_DNAT', 'Y', NAT('DISABLE_DNAT')],
  ['FORWARD_ALL', 'Y', NAT('FORWARD_ALL')],
  ['ENABLE_CMD_SUDO_EXEC', 'Y', SUDO('ENABLE_CMD_SUDO_EXEC')],
  ['CMD_SUDO_EXEC_USER', 'root', SUDO('CMD_SUDO_EXEC_USER')],
  ['CMD_SUDO_EXEC_GROUP', 'root', SUDO('CMD_SUDO_EXEC_GROUP')],
  ['GPG_HOME_DIR', '/root/.gnupg', GPG],
  ['GPG_EXE', '/usr/bin/gpg', GPG],
  ['GPG_DECRYPT_ID', 'ABCD1234', GPG],
  ['GPG_DECRYPT_PW', 'secret', GPG],
  ['GPG_ALLOW_NO_PW', 'Y', GPG],
  ['GPG_REQUIRE_SIG', 'Y', GPG],
  ['GPG_DISABLE_SIG', 'Y', GPG],
  ['GPG_IGNORE_SIG_VERIFY_ERROR', 'Y', GPG],
  ['GPG_REMOTE_ID', '1234ABCD', GPG],
  ['GPG_FINGERPRINT_ID', '0123456789ABCDEF0123456789ABCDEF01234567', GPG],
];

for (const [keyword, value, detail] of UNSUPPORTED) {
  test(`unsupported: ${keyword}`, () => {
    assert.deepEqual(messages(stanza(`${keyword}    ${value}`)), [`${FILE}:4: ${keyword}: ${detail}`]);
  });
}

test('every unsupported option in one stanza: one error per line, nothing else', () => {
  const lines = UNSUPPORTED.map(([k, v]) => `${k} ${v}`);
  const got = errorsOf(stanza(...lines));
  assert.deepEqual(got.map((e) => [e.line, e.key, e.code]), UNSUPPORTED.map(([k], i) => [4 + i, k.toLowerCase(), 'CONFIG_UNKNOWN_KEY']));
});

test('switches that do nothing when N are accepted with N and have nothing to convert', () => {
  const lines = ['ENABLE_CMD_EXEC N', 'FORCE_MASQUERADE N', 'DISABLE_DNAT no', 'FORWARD_ALL n', 'ENABLE_CMD_SUDO_EXEC N',
    'GPG_ALLOW_NO_PW N', 'GPG_REQUIRE_SIG N', 'GPG_DISABLE_SIG N', 'GPG_IGNORE_SIG_VERIFY_ERROR N'];
  assert.equal(convert(stanza(...lines)).sections, BASIC);
});

test('a GPG-only stanza gets its GPG errors, not also "no encryption key"', () => {
  assert.deepEqual(messages('SOURCE ANY\nGPG_DECRYPT_ID ABCD1234\nGPG_DECRYPT_PW secret\nOPEN_PORTS tcp/22'), [
    `${FILE}:2: GPG_DECRYPT_ID: ${GPG}`,
    `${FILE}:3: GPG_DECRYPT_PW: ${GPG}`,
  ]);
  assert.deepEqual(messages(stanza('ENCRYPTION_MODE Asymmetric')), [`${FILE}:4: ENCRYPTION_MODE: ${GPG}`]);
});

test('RESTRICT_PORTS without OPEN_PORTS: only its own error (it already says to use OPEN_PORTS)', () => {
  assert.deepEqual(messages(`SOURCE ANY\nKEY_BASE64 ${K}\nRESTRICT_PORTS tcp/23`), [
    `${FILE}:3: RESTRICT_PORTS: not supported by Portcullis yet; expected the ports clients may open listed in OPEN_PORTS instead (Portcullis refuses every port not listed there)`,
  ]);
});

// ---------------------------------------------------------------------------
// Every other error, exactly.

test('unknown keywords list the supported ones; a lower-case keyword names the one meant', () => {
  assert.deepEqual(messages(stanza('CMD_REGEX .*', 'open_ports tcp/22', '%INCLUDE x.conf', 'Source ANY')), [
    `${FILE}:4: CMD_REGEX: unknown access.conf keyword; expected one of SOURCE, KEY, KEY_BASE64, HMAC_KEY, HMAC_KEY_BASE64, HMAC_DIGEST_TYPE, ENCRYPTION_MODE, OPEN_PORTS, FW_ACCESS_TIMEOUT, MAX_FW_TIMEOUT, REQUIRE_SOURCE_ADDRESS, REQUIRE_SOURCE, REQUIRE_USERNAME, ENABLE_CMD_EXEC, CMD_EXEC_USER, CMD_EXEC_GROUP, %include, %include_folder, %include_keys`,
    `${FILE}:5: open_ports: keywords are case-sensitive, and fwknopd ignores "open_ports"; expected OPEN_PORTS`,
    `${FILE}:6: %INCLUDE: keywords are case-sensitive, and fwknopd ignores "%INCLUDE"; expected %include`,
    `${FILE}:7: Source: keywords are case-sensitive, and fwknopd ignores "Source"; expected SOURCE`,
  ]);
});

test('lines before the first SOURCE are refused: each stanza starts with SOURCE', () => {
  assert.deepEqual(messages(`KEY_BASE64 ${K}\nFW_ACCESS_TIMEOUT 30\nDESTINATION ANY\n${stanza()}`), [
    `${FILE}:1: KEY_BASE64: comes before any SOURCE line (fwknopd ignores it); expected it inside a stanza: each stanza starts with SOURCE`,
    `${FILE}:2: FW_ACCESS_TIMEOUT: comes before any SOURCE line (fwknopd ignores it); expected it inside a stanza: each stanza starts with SOURCE`,
    `${FILE}:3: DESTINATION: comes before any SOURCE line (fwknopd ignores it); expected it inside a stanza: each stanza starts with SOURCE`,
  ]);
});

test('a keyword without a value (fwknopd refuses the file); SOURCE without one still starts a stanza', () => {
  assert.deepEqual(messages(`SOURCE\nKEY_BASE64 ${K}\nOPEN_PORTS ;\nOPEN_PORTS tcp/22\nREQUIRE_USERNAME:`), [
    `${FILE}:1: SOURCE: no value; expected SOURCE and its value on one line (a ";" ends the value)`,
    `${FILE}:3: OPEN_PORTS: no value; expected OPEN_PORTS and its value on one line (a ";" ends the value)`,
    `${FILE}:5: REQUIRE_USERNAME: no value; expected REQUIRE_USERNAME and its value on one line (a ";" ends the value)`,
  ]);
});

test('stanza checks: no key, no OPEN_PORTS, an HMAC digest without an HMAC key, the same key twice', () => {
  assert.deepEqual(messages(['SOURCE 192.0.2.1', 'FW_ACCESS_TIMEOUT 30', '', 'SOURCE ANY', `KEY_BASE64 ${K}`, 'HMAC_DIGEST_TYPE sha256', 'OPEN_PORTS tcp/22'].join('\n')), [
    `${FILE}:1: SOURCE: this stanza has no encryption key; expected a KEY_BASE64 (or KEY) line in it, e.g. from fwknop --key-gen (fwknopd refuses a stanza without keys too)`,
    `${FILE}:1: SOURCE: ${NO_OPEN_PORTS}`,
    `${FILE}:6: HMAC_DIGEST_TYPE: the stanza has no HMAC key, so fwknopd checks no HMAC at all; expected HMAC_KEY_BASE64 (or HMAC_KEY) in the stanza too, or no HMAC_DIGEST_TYPE`,
  ]);
  assert.deepEqual(messages(stanza(`HMAC_KEY_BASE64 ${K}`)), [
    `${FILE}:4: HMAC_KEY_BASE64: is the same as the encryption key (KEY_BASE64, line 2); expected two different keys, as fwknop --key-gen makes them (fwknopd refuses identical keys too)`,
  ]);
  // Compared as bytes, as fwknopd does: the passphrase "pfy" is the base64 key "cGZ5".
  assert.deepEqual(messages('SOURCE ANY\nKEY pfy\nHMAC_KEY_BASE64 cGZ5\nOPEN_PORTS tcp/22'), [
    `${FILE}:3: HMAC_KEY_BASE64: is the same as the encryption key (KEY, line 2); expected two different keys, as fwknop --key-gen makes them (fwknopd refuses identical keys too)`,
  ]);
});

test('keys: placeholders in any case, base64, lengths, trailing blanks of a passphrase', () => {
  const long = 'x'.repeat(33);
  assert.deepEqual(messages(stanza(
    'KEY __changeme__',
    'HMAC_KEY __CHANGEME__',
    'KEY_BASE64 not*base64',
    'KEY_BASE64 abcde',
    'KEY_BASE64 ab=',
    `KEY_BASE64 ${Buffer.alloc(33).toString('base64')}`,
    `HMAC_KEY_BASE64 ${Buffer.alloc(129).toString('base64')}`,
    `KEY ${long}`,
    `HMAC_KEY ${'y'.repeat(129)}`,
    'KEY secret  ',
    'HMAC_KEY other\t;',
  )), [
    `${FILE}:4: KEY: ${PLACEHOLDER_ERROR}`,
    `${FILE}:5: HMAC_KEY: ${PLACEHOLDER_ERROR}`,
    `${FILE}:6: KEY_BASE64: not base64; expected the key in standard base64, as fwknop --key-gen prints it`,
    `${FILE}:7: KEY_BASE64: not base64; expected the key in standard base64, as fwknop --key-gen prints it`,
    `${FILE}:8: KEY_BASE64: not base64; expected the key in standard base64, as fwknop --key-gen prints it`,
    `${FILE}:9: KEY_BASE64: decodes to 33 bytes; expected a Rijndael key of 1 to 32 bytes (fwknop cannot use a longer one)`,
    `${FILE}:10: HMAC_KEY_BASE64: decodes to 129 bytes; expected an HMAC key of 1 to 128 bytes (fwknop cannot use a longer one)`,
    `${FILE}:11: KEY: the key is 33 bytes; expected a Rijndael key of 1 to 32 bytes (fwknop cannot use a longer one)`,
    `${FILE}:12: HMAC_KEY: the key is 129 bytes; expected an HMAC key of 1 to 128 bytes (fwknop cannot use a longer one)`,
    `${FILE}:13: KEY: the key ends in blanks, which fwknopd keeps as part of the key but a Portcullis config value cannot hold; expected the key without them (on the clients too), or the same bytes as KEY_BASE64`,
    `${FILE}:14: HMAC_KEY: the key ends in blanks, which fwknopd keeps as part of the key but a Portcullis config value cannot hold; expected the key without them (on the clients too), or the same bytes as HMAC_KEY_BASE64`,
  ]);
  // Trailing blanks of a base64 key carry no meaning: dropped (fwknopd refuses them).
  assert.equal(convert(`SOURCE ANY\nKEY_BASE64 ${K}   ;\nOPEN_PORTS tcp/22`).sections, BASIC);
  // Unpadded base64 is accepted, a key of exactly 32 bytes too.
  assert.ok(convert(stanza(`KEY_BASE64 ${K.replace(/=+$/, '')}`)).sections.includes(`key_base64 = ${K.replace(/=+$/, '')}\n`));
  assert.ok(convert(stanza(`KEY ${'k'.repeat(32)}`)).sections.includes(`key = ${'k'.repeat(32)}\n`));
});

test('a key is never echoed in an error message', () => {
  for (const m of messages(stanza('KEY_BASE64 s3cr3t!!', 'KEY s3cr3t  ', `KEY ${'s3cr3t'.repeat(6)}`))) assert.ok(!m.includes('s3cr3t'), m);
});

test('SOURCE errors: bad addresses, prefixes, host bits, dotted masks, stray commas', () => {
  const src = (v: string) => `SOURCE ${v}\nKEY_BASE64 ${K}\nOPEN_PORTS tcp/22`;
  const one = (v: string) => messages(src(v));
  assert.deepEqual(one('192.168.1.300'), [`${FILE}:1: SOURCE: "192.168.1.300" is not an address or network; expected an IPv4 or IPv6 address, optionally followed by /prefix, e.g. 203.0.113.0/24 or 2001:db8::/32`]);
  assert.deepEqual(one('10.0.0.0/33'), [`${FILE}:1: SOURCE: "10.0.0.0/33" has a bad prefix length; expected /0 to /32`]);
  assert.deepEqual(one('192.168.10.5/24'), [`${FILE}:1: SOURCE: "192.168.10.5/24" has host bits set after /24; expected the network address, 192.168.10.0/24`]);
  assert.deepEqual(one('10.0.0.0/255.0.255.0'), [`${FILE}:1: SOURCE: "10.0.0.0/255.0.255.0" has a mask that is not a run of leading ones; expected /PREFIX or a mask such as /255.255.255.0`]);
  assert.deepEqual(one('10.0.0.0/255.0.0'), [`${FILE}:1: SOURCE: "10.0.0.0/255.0.0" has a mask that is not a run of leading ones; expected /PREFIX or a mask such as /255.255.255.0`]);
  assert.deepEqual(one('10.0.0.1,'), [`${FILE}:1: SOURCE: empty entry (a stray comma?); expected ANY, or addresses and networks separated by commas, e.g. 192.168.10.0/24, 10.1.1.123`]);
  assert.deepEqual(one('ANY # everyone'), [`${FILE}:1: SOURCE: "ANY # everyone" is not an address or network; expected an IPv4 or IPv6 address, optionally followed by /prefix, e.g. 203.0.113.0/24 or 2001:db8::/32`]);
  assert.deepEqual(one('10.0.0.0/0.0.0.0'), [`${FILE}:1: SOURCE: "10.0.0.0/0" has host bits set after /0; expected the network address, 0.0.0.0/0`]);
  assert.ok(convert(src('10.0.0.7/255.255.255.255, 0.0.0.0/0.0.0.0')).sections.includes('\nsource = 10.0.0.7/32, 0.0.0.0/0\n'));
});

test('OPEN_PORTS errors: bare ports, other protocols, bad numbers, stray commas', () => {
  const ports = (v: string) => messages(`SOURCE ANY\nKEY_BASE64 ${K}\nOPEN_PORTS ${v}`);
  assert.deepEqual(ports('22'), [`${FILE}:3: OPEN_PORTS: "22" has no protocol, and fwknopd refuses a bare port; expected tcp/22 or udp/22`]);
  assert.deepEqual(ports('icmp/0'), [`${FILE}:3: OPEN_PORTS: "icmp/0": protocol must be tcp or udp; expected e.g. tcp/22 or udp/1194`]);
  assert.deepEqual(ports('tcp/65536'), [`${FILE}:3: OPEN_PORTS: "65536" is not a port number in "tcp/65536"; expected 1-65535`]);
  assert.deepEqual(ports('tcp/0'), [`${FILE}:3: OPEN_PORTS: "0" is not a port number in "tcp/0"; expected 1-65535`]);
  assert.deepEqual(ports('tcp/22,'), [`${FILE}:3: OPEN_PORTS: empty entry (a stray comma?); expected PROTO/PORT entries separated by commas, e.g. tcp/22, udp/1194`]);
});

test('HMAC_DIGEST_TYPE and ENCRYPTION_MODE: fwknop spellings in any case; the modes Portcullis lacks are named', () => {
  for (const d of ['md5', 'SHA1', 'sha256', 'Sha384', 'sha512', 'SHA3_256', 'sha3_512']) {
    assert.ok(convert(stanza(`HMAC_KEY_BASE64 ${H}`, `HMAC_DIGEST_TYPE ${d}`)).sections.includes(`hmac_digest_type = ${d.toLowerCase()}\n`), d);
  }
  assert.deepEqual(messages(stanza(`HMAC_KEY_BASE64 ${H}`, 'HMAC_DIGEST_TYPE sha3-256', 'ENCRYPTION_MODE CTR', 'ENCRYPTION_MODE ecb', 'ENCRYPTION_MODE CFB', 'ENCRYPTION_MODE OFB', 'ENCRYPTION_MODE PCBC', 'ENCRYPTION_MODE aes')), [
    `${FILE}:5: HMAC_DIGEST_TYPE: "sha3-256" is not an HMAC digest; expected one of md5, sha1, sha256, sha384, sha512, sha3_256, sha3_512`,
    `${FILE}:6: ENCRYPTION_MODE: CTR mode is not supported by Portcullis yet; expected CBC (fwknop's default: clients without -M, or -M cbc) or legacy (clients older than 2.5)`,
    `${FILE}:7: ENCRYPTION_MODE: ecb mode is not supported by Portcullis yet; expected CBC (fwknop's default: clients without -M, or -M cbc) or legacy (clients older than 2.5)`,
    `${FILE}:8: ENCRYPTION_MODE: CFB mode is not supported by Portcullis yet; expected CBC (fwknop's default: clients without -M, or -M cbc) or legacy (clients older than 2.5)`,
    `${FILE}:9: ENCRYPTION_MODE: OFB mode is not supported by Portcullis yet; expected CBC (fwknop's default: clients without -M, or -M cbc) or legacy (clients older than 2.5)`,
    `${FILE}:10: ENCRYPTION_MODE: "PCBC" is not an fwknop encryption mode; expected CBC or legacy (fwknop also has CTR, ECB, CFB, OFB and Asymmetric, which Portcullis does not support yet)`,
    `${FILE}:11: ENCRYPTION_MODE: "aes" is not an fwknop encryption mode; expected CBC or legacy (fwknop also has CTR, ECB, CFB, OFB and Asymmetric, which Portcullis does not support yet)`,
  ]);
});

test('timeouts: whole seconds, 0 meaning fwknopd\'s default, at most what a Node timer holds', () => {
  assert.ok(convert(stanza('FW_ACCESS_TIMEOUT 45', 'MAX_FW_TIMEOUT 2147483')).sections.includes('fw_access_timeout = 45\nmax_fw_timeout = 2147483\n'));
  assert.deepEqual(messages(stanza('FW_ACCESS_TIMEOUT abc', 'MAX_FW_TIMEOUT 8388608', 'FW_ACCESS_TIMEOUT -1', 'MAX_FW_TIMEOUT 30s')), [
    `${FILE}:4: FW_ACCESS_TIMEOUT: "abc" is not a number of seconds; expected a whole number of seconds from 0 to 2147483`,
    `${FILE}:5: MAX_FW_TIMEOUT: 8388608 seconds is out of range; expected a whole number of seconds from 0 to 2147483`,
    `${FILE}:6: FW_ACCESS_TIMEOUT: "-1" is not a number of seconds; expected a whole number of seconds from 0 to 2147483`,
    `${FILE}:7: MAX_FW_TIMEOUT: "30s" is not a number of seconds; expected a whole number of seconds from 0 to 2147483`,
  ]);
});

test('errors come in reading order across included files, each with its own file and line, and carry config error codes', () => {
  const io = files({ '/etc/fwknop/more.conf': 'SOURCE ANY\nOPEN_PORTS tcp/22\nBOGUS 1\n' });
  const got = errorsOf(`SOURCE 10.0.0.0/8\nKEY_BASE64 x!\n%include more.conf\nOPEN_PORTS 22\n`, io);
  assert.deepEqual(got.map((e) => [e.file, e.line, e.key, e.code]), [
    [FILE, 2, 'key_base64', 'CONFIG_BAD_VALUE'],
    ['/etc/fwknop/more.conf', 1, 'source', 'CONFIG_BAD_VALUE'], // no encryption key
    ['/etc/fwknop/more.conf', 3, 'bogus', 'CONFIG_UNKNOWN_KEY'],
    [FILE, 4, 'open_ports', 'CONFIG_BAD_PROTOCOL'],
  ]);
});

// ---------------------------------------------------------------------------
// Wiring helpers for serve --fwknop-access.

test('appendConverted: the config, a blank line, the sections; firstLine is where they start', () => {
  const r = convert(stanza());
  const a = appendConverted('[options]\n  logfile = /tmp/x', r);
  assert.equal(a.text, `[options]\n  logfile = /tmp/x\n\n${BASIC}`);
  assert.equal(a.text.split('\n')[a.firstLine - 1], '# from /etc/fwknop/access.conf:1');
  const b = appendConverted('[options]\n', r);
  assert.equal(b.text.split('\n')[b.firstLine - 1], '# from /etc/fwknop/access.conf:1');
  const c = appendConverted('', r);
  assert.deepEqual([c.text, c.firstLine], [BASIC, 1]);
});

test('relocateErrors moves errors on the appended lines to their access.conf line and keyword, and keeps the others', () => {
  const r = convert(REALISTIC);
  const { firstLine } = appendConverted('[options]\nlogfile = /x\n', r);
  assert.equal(firstLine, 4);
  const config = '/etc/portcullis.conf';
  const parsed = new ConfigErrors([
    new ConfigError('CONFIG_UNKNOWN_KEY', { file: config, line: 2, key: 'logfile' }, 'kept'),
    new ConfigError('CONFIG_BAD_VALUE', { file: config, line: firstLine + 7, key: 'require_username' }, '"alice" is not allowed'),
    new ConfigError('CONFIG_BAD_VALUE', { file: config, line: firstLine + 1, subject: '[fwknop-1]' }, 'a door-level problem'),
    new ConfigError('CONFIG_BAD_VALUE', { file: config, line: firstLine + 20, key: 'fw_access_timeout' }, 'a default'),
    new ConfigError('CONFIG_BAD_VALUE', { file: config, line: firstLine, key: 'x' }, 'on a comment line: kept'),
  ]);
  assert.deepEqual(relocateErrors(parsed, config, firstLine, r).errors.map((e) => e.message), [
    '/etc/portcullis.conf:2: logfile: kept',
    '/etc/fwknop/access.conf:12: REQUIRE_USERNAME: "alice" is not allowed',
    '/etc/fwknop/access.conf:4: SOURCE: a door-level problem',
    '/etc/fwknop/access.conf:15: SOURCE: a default',
    '/etc/portcullis.conf:4: x: on a comment line: kept',
  ]);
});

test('CONVERTED_KEYWORDS names a Portcullis SPA key for every converted keyword', () => {
  assert.deepEqual(Object.keys(CONVERTED_KEYWORDS), [
    'SOURCE', 'KEY', 'KEY_BASE64', 'HMAC_KEY', 'HMAC_KEY_BASE64', 'HMAC_DIGEST_TYPE', 'ENCRYPTION_MODE', 'OPEN_PORTS',
    'FW_ACCESS_TIMEOUT', 'MAX_FW_TIMEOUT', 'REQUIRE_SOURCE_ADDRESS', 'REQUIRE_SOURCE', 'REQUIRE_USERNAME', 'ENABLE_CMD_EXEC',
    'CMD_EXEC_USER', 'CMD_EXEC_GROUP',
  ]);
  for (const v of Object.values(CONVERTED_KEYWORDS)) assert.match(v, /^[a-z_0-9]+$/);
});

test('command messages: ENABLE_CMD_EXEC Y with CMD_EXEC_USER/GROUP become enable_cmd_exec, cmd_exec_user, cmd_exec_group', () => {
  const body = convert(stanza('ENABLE_CMD_EXEC Y', 'CMD_EXEC_USER spacmd', 'CMD_EXEC_GROUP staff')).sections;
  assert.match(body, /\nenable_cmd_exec = yes\ncmd_exec_user = spacmd\ncmd_exec_group = staff\n$/);
  assert.match(convert(stanza('CMD_EXEC_USER root', 'ENABLE_CMD_EXEC Yes')).sections, /\nenable_cmd_exec = yes\ncmd_exec_user = root\n$/, 'root kept when written');
  assert.equal(convert(stanza('CMD_EXEC_USER spacmd', 'CMD_EXEC_GROUP staff')).sections, BASIC, 'without ENABLE_CMD_EXEC Y fwknopd ignores them; so does the door');
  assert.equal(convert(stanza('ENABLE_CMD_EXEC Y', 'CMD_EXEC_USER x', 'ENABLE_CMD_EXEC N')).sections, BASIC, 'the last line wins');
  const only = convert(['SOURCE ANY', `KEY_BASE64 ${K}`, 'ENABLE_CMD_EXEC Y', 'CMD_EXEC_USER nobody'].join('\n')).sections;
  assert.doesNotMatch(only, /open_ports/, 'a command-only stanza needs no OPEN_PORTS');
  assert.match(only, /cmd_exec_user = nobody/);
});

test('command messages: root by default is refused, bad names are errors, each at its access.conf line', () => {
  assert.deepEqual(messages(stanza('ENABLE_CMD_EXEC Y')), [
    `${FILE}:4: ENABLE_CMD_EXEC: without CMD_EXEC_USER fwknopd runs command messages as root, which Portcullis does only when told; expected CMD_EXEC_USER with an account that has no more rights than the commands need (or CMD_EXEC_USER root to keep running them as root)`,
  ]);
  assert.deepEqual(messages(stanza('ENABLE_CMD_EXEC Y', 'CMD_EXEC_USER no body', 'CMD_EXEC_GROUP a:b')), [
    `${FILE}:5: CMD_EXEC_USER: "no body" is not a user name; expected a user of this host (letters, digits, _ . -; e.g. nobody)`,
    `${FILE}:6: CMD_EXEC_GROUP: "a:b" is not a group name; expected a group of this host (letters, digits, _ . -; e.g. nobody)`,
  ]);
});

test('a converted command stanza loads as an SPA door that runs commands', () => {
  const converted = convert(stanza('ENABLE_CMD_EXEC Y', 'CMD_EXEC_USER nobody'));
  const { text } = appendConverted('[options]\n', converted);
  const config = parseConfig(text, '/etc/portcullis.conf', { readFile: () => undefined });
  assert.deepEqual(config.doors[0]!.spa!.commandExec, { user: 'nobody', userLine: config.doors[0]!.spa!.commandExec!.userLine, timeoutMs: 30_000, maxRunning: 4 });
});
