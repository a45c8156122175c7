import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMessages, parseTestConfig } from './testing.js';
import { parseFacility, parseMetricsListen, parseSyslogRemote } from './observability-values.js';

test('metrics_listen: IPv4:PORT or [IPv6]:PORT literals, canonical address', () => {
  assert.deepEqual(parseMetricsListen('127.0.0.1:9742'), { host: '127.0.0.1', family: 4, port: 9742 });
  assert.deepEqual(parseMetricsListen('[::1]:9742'), { host: '::1', family: 6, port: 9742 });
  assert.deepEqual(parseMetricsListen('[2001:DB8:0::1]:80'), { host: '2001:db8::1', family: 6, port: 80 });
  assert.deepEqual(parseMetricsListen('0.0.0.0:9742'), { host: '0.0.0.0', family: 4, port: 9742 });
});

test('metrics_listen: names, missing ports, unbracketed IPv6 and bad ports are refused with what is expected', () => {
  assert.throws(() => parseMetricsListen('localhost:9742'), /"localhost:9742" is not an address and port; expected IPV4:PORT or \[IPV6\]:PORT with a literal address, e.g\. 127\.0\.0\.1:9742/);
  assert.throws(() => parseMetricsListen('127.0.0.1'), /has no port; expected IPV4:PORT/);
  assert.throws(() => parseMetricsListen('::1:9742'), /an IPv6 address must be in brackets; expected \[IPV6\]:PORT/);
  assert.throws(() => parseMetricsListen('[127.0.0.1]:80'), /is not an address and port/);
  for (const p of ['0', '65536', '08', 'x', '']) assert.throws(() => parseMetricsListen(`127.0.0.1:${p}`), /is not a port number; expected 1-65535/);
});

test('syslog_remote: udp:// or tcp://, port 514 by default', () => {
  assert.deepEqual(parseSyslogRemote('udp://10.1.2.3:514'), { transport: 'udp', host: '10.1.2.3', family: 4, port: 514 });
  assert.deepEqual(parseSyslogRemote('TCP://[2001:db8::1]:6514'), { transport: 'tcp', host: '2001:db8::1', family: 6, port: 6514 });
  assert.deepEqual(parseSyslogRemote('udp://10.1.2.3'), { transport: 'udp', host: '10.1.2.3', family: 4, port: 514 });
  assert.deepEqual(parseSyslogRemote('tcp://[::1]'), { transport: 'tcp', host: '::1', family: 6, port: 514 });
  assert.throws(() => parseSyslogRemote('10.1.2.3:514'), /is not a syslog collector; expected udp:\/\/ADDRESS\[:PORT\] or tcp:\/\/ADDRESS\[:PORT\]/);
  assert.throws(() => parseSyslogRemote('tls://10.1.2.3'), /is not a syslog collector/);
  assert.throws(() => parseSyslogRemote('udp://siem.example:514'), /is not an address and port/);
});

test('syslog_remote_facility: the RFC 5424 names', () => {
  assert.equal(parseFacility('auth'), 4);
  assert.equal(parseFacility('AuthPriv'), 10);
  assert.equal(parseFacility('local7'), 23);
  assert.throws(() => parseFacility('security'), /"security" is not a syslog facility; expected one of kern, user, mail, daemon, auth/);
});

test('the keys in [options]: parsed into Options; absent means off', () => {
  const c = parseTestConfig('[options]\nmetrics_listen = [::1]:9100\nsyslog_remote = tcp://192.0.2.9:6514\nsyslog_remote_facility = local3\n[d]\nsequence = 7000\n');
  assert.deepEqual(c.options.metricsListen, { host: '::1', family: 6, port: 9100 });
  assert.deepEqual(c.options.syslogRemote, { transport: 'tcp', host: '192.0.2.9', family: 4, port: 6514 });
  assert.equal(c.options.syslogRemoteFacility, 19);
  const none = parseTestConfig('[d]\nsequence = 7000\n');
  assert.equal(none.options.metricsListen, undefined);
  assert.equal(none.options.syslogRemote, undefined);
});

test('errors name file, line and key', () => {
  const errs = configMessages('[options]\nmetrics_listen = localhost:9742\nsyslog_remote = udp://siem\nsyslog_remote_facility = nope\n[d]\nsequence = 7000\n');
  assert.equal(errs.length, 3, errs.join('\n'));
  assert.match(errs[0]!, /^\/etc\/portcullis\.conf:2: metrics_listen: "localhost:9742" is not an address and port/);
  assert.match(errs[1]!, /^\/etc\/portcullis\.conf:3: syslog_remote: "siem" is not an address and port/);
  assert.match(errs[2]!, /^\/etc\/portcullis\.conf:4: syslog_remote_facility: "nope" is not a syslog facility/);
});

test('portcullis check shows the listener and the collector when set', async () => {
  const { describeConfig } = await import('./summary.js');
  const text = describeConfig(parseTestConfig('[options]\nmetrics_listen = [::1]:9742\nsyslog_remote = udp://10.1.2.3\n[d]\nsequence = 7000\n'));
  assert.match(text, /^ {2}metrics +http:\/\/\[::1\]:9742\/metrics$/m);
  assert.match(text, /^ {2}syslog remote +udp:\/\/10\.1\.2\.3:514 \(security events, facility 4\)$/m);
  assert.doesNotMatch(describeConfig(parseTestConfig('[d]\nsequence = 7000\n')), /metrics|syslog remote/);
});
