// The knockd.conf corpus (/work/shared/research/knockd-configs): published
// examples and synthetic edge cases with what knockd 0.8 did with each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfig } from './parse.js';
import { ConfigErrors } from './errors.js';
import { formatSequence } from './sequence.js';
import { formatTcpFlags } from './tcpflags.js';
import type { Config, Door } from './model.js';
import type { IoForConfig } from './door.js';

const CORPUS = fileURLToPath(new URL('../../../../shared/research/knockd-configs/', import.meta.url));
// In CI the corpus must be there (shared/ sits beside the clone): a missing corpus fails there, skips elsewhere.
const skip = existsSync(CORPUS) || process.env.CI === 'true' ? false : `knockd config corpus not found at ${CORPUS}`;
const OTS_PATH = '/etc/knockd/smtp_sequences';

function read(name: string): string {
  return readFileSync(CORPUS + name, 'utf8');
}

const withOts = { readFile: (p: string) => (p === OTS_PATH ? read('04.smtp_sequences.synthetic') : undefined) };
const noFiles: IoForConfig = { readFile: () => undefined };

function parse(name: string, io: IoForConfig = noFiles): Config {
  return parseConfig(read(name), name, io);
}

/** The problems in a rejected file as [code, line, key]. */
function problems(name: string, io: IoForConfig = noFiles): [string, number, string | undefined][] {
  try {
    parseConfig(read(name), name, io);
  } catch (e) {
    assert.ok(e instanceof ConfigErrors);
    for (const err of e.errors) assert.ok(err.message.startsWith(`${name}:${err.line}: `), err.message);
    return e.errors.map((err) => [err.code, err.line, err.key]);
  }
  assert.fail(`${name} should be rejected`);
}

/** The fields knockd printed, in a compact form. */
function brief(d: Door) {
  return {
    name: d.name,
    sequence: formatSequence(d.sequence),
    seq: d.seqTimeoutMs / 1000,
    cmd: d.cmdTimeoutMs / 1000,
    flags: formatTcpFlags(d.tcpFlags),
    start: d.startCommand,
  };
}

test('01: three syn doors with a log file', { skip }, () => {
  const c = parse('01.conf');
  assert.equal(c.options.logFile, '/var/log/knockd.log');
  assert.equal(c.options.useSyslog, false);
  assert.deepEqual(c.doors.map(brief), [
    { name: 'openSSH', sequence: '7000/tcp 8000/tcp 9000/tcp', seq: 5, cmd: 10, flags: 'syn',
      start: '/usr/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT' },
    { name: 'closeSSH', sequence: '9000/tcp 8000/tcp 7000/tcp', seq: 5, cmd: 10, flags: 'syn',
      start: '/usr/sbin/iptables -D INPUT -s %IP% -p tcp --dport 22 -j ACCEPT' },
    { name: 'openHTTPS', sequence: '12345/tcp 54321/tcp 24680/tcp 13579/tcp', seq: 5, cmd: 10, flags: 'syn',
      start: '/usr/local/sbin/knock_add -i -c INPUT -p tcp -d 443 -f %IP%' },
  ]);
  assert.deepEqual(c.doors.map((d) => d.line), [4, 10, 16]);
  const d = c.doors[0]!;
  assert.equal(d.stopCommand, undefined);
  assert.equal(d.startCommand6, undefined);
  assert.deepEqual(d.allow, []);
  assert.equal(d.allowDuplicates, false);
  assert.equal(d.cooldownMs, 0);
  assert.equal(d.target, undefined);
  assert.equal(d.oneTimeSequences, undefined);
});

test('02: man page example #1', { skip }, () => {
  assert.deepEqual(parse('02.conf').doors.map(brief), [
    { name: 'openSSH', sequence: '7000/tcp 8000/tcp 9000/tcp', seq: 10, cmd: 10, flags: 'syn',
      start: '/usr/sbin/iptables -A INPUT -s %IP% --dport 22 -j ACCEPT' },
    { name: 'closeSSH', sequence: '9000/tcp 8000/tcp 7000/tcp', seq: 10, cmd: 10, flags: 'syn',
      start: '/usr/sbin/iptables -D INPUT -s %IP% --dport 22 -j ACCEPT' },
  ]);
});

test('03: mixed udp/tcp with start/stop and cmd_timeout', { skip }, () => {
  const [d, ...rest] = parse('03.conf').doors;
  assert.equal(rest.length, 0);
  assert.deepEqual(brief(d!), {
    name: 'opencloseSSH', sequence: '2222/udp 3333/tcp 4444/udp', seq: 15, cmd: 5, flags: 'syn,ack',
    start: '/usr/sbin/iptables -A INPUT -s %IP% -p tcp --syn -j ACCEPT',
  });
  assert.equal(d!.stopCommand, '/usr/sbin/iptables -D INPUT -s %IP% -p tcp --syn -j ACCEPT');
});

for (const name of ['04.conf', '05.conf']) {
  test(`${name}: one-time sequences read through io.readFile`, { skip }, () => {
    const c = parse(name, withOts);
    const d = c.doors[0]!;
    assert.equal(c.doors.length, 1);
    assert.equal(d.oneTimeSequences, OTS_PATH);
    assert.deepEqual(brief(d), {
      name: 'opencloseSMTP', sequence: '2001/tcp 2002/tcp 2003/tcp', seq: 15, cmd: 5, flags: 'fin,!ack',
      start: '/usr/sbin/iptables -A INPUT -s %IP% -p tcp --dport 25 -j ACCEPT',
    });
    assert.equal(d.stopCommand, '/usr/sbin/iptables -D INPUT -s %IP% -p tcp --dport 25 -j ACCEPT');
    if (name === '05.conf') {
      assert.equal(d.startCommand6, '/usr/sbin/ip6tables -A INPUT -s %IP% -p tcp --dport 25 -j ACCEPT');
      assert.equal(d.stopCommand6, '/usr/sbin/ip6tables -D INPUT -s %IP% -p tcp --dport 25 -j ACCEPT');
    } else {
      assert.equal(d.startCommand6, undefined);
      assert.equal(d.stopCommand6, undefined);
    }
  });

  test(`${name}: a missing one-time sequences file is CONFIG_MISSING_FILE`, { skip }, () => {
    assert.deepEqual(problems(name), [['CONFIG_MISSING_FILE', 5, 'one_time_sequences']]);
  });
}

test('06: Debian default with UseSyslog', { skip }, () => {
  const c = parse('06.conf');
  assert.equal(c.options.useSyslog, true);
  assert.equal(c.options.logFile, undefined);
  assert.deepEqual(c.doors.map((d) => [d.name, formatSequence(d.sequence)]), [
    ['openSSH', '7000/tcp 8000/tcp 9000/tcp'],
    ['closeSSH', '9000/tcp 8000/tcp 7000/tcp'],
    ['openHTTPS', '12345/tcp 54321/tcp 24680/tcp 13579/tcp'],
  ]);
  assert.equal(c.doors[0]!.startCommand, '/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT');
});

// Files knockd 0.8 accepted (rc=124 in EXPECTED), with what it printed.
const ACCEPTED: Record<string, (c: Config) => void> = {
  'e02-usesyslog-in-door.conf': (c) => {
    assert.equal(c.options.useSyslog, true);
    assert.equal(formatSequence(c.doors[0]!.sequence), '1/tcp 2/tcp');
  },
  // knockd rejected this one; Portcullis accepts spaces after commas on purpose.
  'e03-tcpflags-space.conf': (c) => assert.equal(formatTcpFlags(c.doors[0]!.tcpFlags), 'syn,ack'),
  'e04-tcpflags-multi-line.conf': (c) => assert.equal(formatTcpFlags(c.doors[0]!.tcpFlags), 'syn,!ack,urg'),
  'e09-proto-case-spaces.conf': (c) => assert.equal(formatSequence(c.doors[0]!.sequence), '7000/udp 8000/tcp'),
  'e14-32-ports.conf': (c) => {
    assert.deepEqual(c.doors[0]!.sequence.map((s) => s.port), Array.from({ length: 32 }, (_, i) => i + 1));
  },
  'e18-inline-comments.conf': (c) => {
    assert.equal(formatSequence(c.doors[0]!.sequence), '1/tcp 2/tcp 3/tcp');
    assert.equal(c.doors[0]!.startCommand, 'echo %IP% # c');
  },
  'e22-duplicate-door-names-empty-command.conf': (c) => {
    assert.deepEqual(c.doors.map((d) => [d.name, d.line, formatSequence(d.sequence), d.startCommand]),
      [['d', 1, '1/tcp', ''], ['d', 4, '2/tcp', undefined]]);
  },
  'e23-equals-in-value.conf': (c) => assert.equal(c.doors[0]!.startCommand, 'a=b c==d'),
  'e28-target.conf': (c) => {
    assert.deepEqual(brief(c.doors[0]!), {
      name: 'wake', sequence: '22/tcp', seq: 25, cmd: 10, flags: '', start: 'echo wake %IP%',
    });
    assert.equal(c.doors[0]!.target, '192.0.2.50');
  },
};

// Files Portcullis rejects: knockd's rejections, plus e05/e11/e15 where knockd
// ran nonsense (port 0, port 65535 from -1, timeouts of 0).
const REJECTED: Record<string, [string, number, string | undefined][]> = {
  'e01-usesyslog-with-value.conf': [['CONFIG_SYNTAX', 2, 'usesyslog']],
  'e05-trailing-comma.conf': [['CONFIG_BAD_PORT', 2, 'sequence']],
  'e06-Options-capitalised.conf': [['CONFIG_BAD_SECTION', 1, undefined]],
  'e07-directive-before-section.conf': [['CONFIG_NO_SECTION', 1, 'logfile']],
  'e08-unknown-door-key.conf': [['CONFIG_UNKNOWN_KEY', 3, 'foo']],
  'e10-port-over-65535.conf': [['CONFIG_BAD_PORT', 2, 'sequence']],
  'e11-port-negative-nonnumeric.conf': [
    ['CONFIG_BAD_PORT', 2, 'sequence'], ['CONFIG_BAD_PORT', 2, 'sequence'], ['CONFIG_BAD_PORT', 2, 'sequence'],
  ],
  'e12-icmp-proto.conf': [['CONFIG_BAD_PROTOCOL', 2, 'sequence']],
  'e13-33-ports.conf': [['CONFIG_TOO_MANY_STEPS', 2, 'sequence']],
  'e15-bad-timeouts-and-alias.conf': [['CONFIG_BAD_NUMBER', 3, 'seq_timeout'], ['CONFIG_BAD_NUMBER', 7, 'cmd_timeout']],
  'e16-door-without-sequence.conf': [['CONFIG_EMPTY_SEQUENCE', 1, undefined]],
  'e17-interface-in-door.conf': [['CONFIG_UNKNOWN_KEY', 3, 'interface']],
  'e19-options-with-spaces.conf': [['CONFIG_BAD_SECTION', 1, undefined]],
  'e20-empty-section.conf': [['CONFIG_BAD_SECTION', 1, undefined]],
  'e21-no-equals.conf': [['CONFIG_SYNTAX', 2, 'sequence']],
  'e24-door-key-in-options.conf': [['CONFIG_UNKNOWN_KEY', 2, 'sequence']],
  'e25-empty-tcpflags.conf': [['CONFIG_BAD_FLAG', 3, 'tcpflags']],
  'e26-unknown-option.conf': [['CONFIG_UNKNOWN_KEY', 2, 'debug']],
  'e27-section-trailing-text.conf': [['CONFIG_BAD_SECTION', 1, undefined]],
};

test('every synthetic file is covered', { skip }, () => {
  const expected = read('synthetic/EXPECTED-knockd-0.8.txt');
  const names = [...expected.matchAll(/^### (\S+) rc=/gm)].map((m) => m[1]!);
  assert.equal(names.length, 28);
  assert.deepEqual(names.filter((n) => !(n in ACCEPTED) && !(n in REJECTED)), []);
});

for (const [name, check] of Object.entries(ACCEPTED)) {
  test(`synthetic ${name} is accepted`, { skip }, () => check(parse(`synthetic/${name}`)));
}

for (const [name, expected] of Object.entries(REJECTED)) {
  test(`synthetic ${name} is rejected`, { skip }, () => assert.deepEqual(problems(`synthetic/${name}`), expected));
}

test('rejection messages say what was meant', { skip }, () => {
  const message = (name: string) => {
    try {
      parse(`synthetic/${name}`);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  assert.equal(message('e05-trailing-comma.conf'),
    'synthetic/e05-trailing-comma.conf:2: sequence: a trailing comma (port 0 in knockd); expected 1-65535, optionally followed by :tcp or :udp');
  assert.match(message('e06-Options-capitalised.conf'), /:1: \[Options\]: knockd would read this as a door named "Options"; expected \[options\]/);
  assert.match(message('e19-options-with-spaces.conf'), /:1: \[ options \]: .*door named " options "/);
  assert.match(message('e01-usesyslog-with-value.conf'), /:2: UseSyslog: takes no value; expected UseSyslog alone on its line$/);
  assert.match(message('e15-bad-timeouts-and-alias.conf'), /:3: seq_timeout: "abc" is not a number of seconds/);
  assert.match(message('e27-section-trailing-text.conf'), /:1: \[d\] # x: not a section header; expected \[name\] alone on its line/);
});
