import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeParamValue, formatRfc5424, octetCounted, structuredData, type Rfc5424Message } from './rfc5424.js';

const T = Date.UTC(2026, 11, 1, 10, 0, 0, 123);
const base: Rfc5424Message = {
  facility: 4, level: 'info', time: T, hostname: 'gw', procId: 4242, msgId: 'knock.open',
  fields: { event: 'knock.open', src: '203.0.113.7', door: 'ssh' }, msg: '203.0.113.7: ssh: OPEN SESAME',
};

test('header: PRI from facility and severity, VERSION 1, RFC 3339 UTC time with ms, host, app, pid, MSGID; SD; MSG', () => {
  assert.equal(formatRfc5424(base).toString(),
    '<38>1 2026-12-01T10:00:00.123Z gw portcullis 4242 knock.open [portcullis@32473 src="203.0.113.7" door="ssh"] 203.0.113.7: ssh: OPEN SESAME');
  // authpriv (10) × 8 + error (3); local7 (23) × 8 + debug (7); kern + warning.
  assert.match(formatRfc5424({ ...base, facility: 10, level: 'error' }).toString(), /^<83>1 /);
  assert.match(formatRfc5424({ ...base, facility: 23, level: 'debug' }).toString(), /^<191>1 /);
  assert.match(formatRfc5424({ ...base, facility: 0, level: 'warn' }).toString(), /^<4>1 /);
});

test('PARAM-VALUE escapes ", \\ and ] (RFC 5424 §6.3.3); other characters stay', () => {
  assert.equal(escapeParamValue('a"b\\c]d[e='), 'a\\"b\\\\c\\]d[e=');
  assert.equal(structuredData({ event: 'x', detail: 'user "root"] \\ ok', n: 5, list: ['a', 'b'], none: undefined }),
    '[portcullis@32473 detail="user \\"root\\"\\] \\\\ ok" n="5" list="a,b"]');
});

test('no fields besides event: SD is the NILVALUE; empty header fields too', () => {
  const m = formatRfc5424({ ...base, fields: { event: 'daemon.stop' }, msgId: 'daemon.stop', hostname: '', msg: 'shutting down' }).toString();
  assert.equal(m, '<38>1 2026-12-01T10:00:00.123Z - portcullis 4242 daemon.stop - shutting down');
});

test('header fields keep only printable ASCII; SD names lose = ] " and spaces', () => {
  const m = formatRfc5424({ ...base, hostname: 'g w\n', fields: { 'a b=c': 'v' } }).toString();
  assert.match(m, / gw portcullis /);
  assert.match(m, /\[portcullis@32473 a_b_c="v"\]/);
});

test('a message is one line: newlines in MSG and values are escaped', () => {
  const m = formatRfc5424({ ...base, fields: { event: 'x', detail: 'a\nb' }, msg: 'line1\nline2\n' }).toString();
  assert.ok(!m.includes('\n'));
  // oneLine's \n, whose backslash SD then escapes: the collector reads back `a\nb`.
  assert.match(m, /detail="a\\\\nb"\] line1\\nline2$/);
});

test('non-ASCII MSG is UTF-8 after a BOM (§6.4); ASCII MSG has none', () => {
  const m = formatRfc5424({ ...base, msg: 'tür' });
  assert.ok(m.includes(Buffer.from('\ufefftür')));
  assert.ok(!formatRfc5424(base).includes(Buffer.from('\ufeff')));
});

test('size bound: MSG is cut (never inside a UTF-8 character), then SD dropped if the header and SD alone are too long', () => {
  const long = formatRfc5424({ ...base, msg: 'é'.repeat(2000) }, 300);
  assert.ok(long.length <= 300);
  assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(long));
  assert.match(long.toString(), /\[portcullis@32473 src="203\.0\.113\.7" door="ssh"\] \ufeffé+$/);
  const hugeSd = formatRfc5424({ ...base, fields: { event: 'x', detail: 'x'.repeat(500) } }, 200).toString();
  assert.match(hugeSd, /^<38>1 \S+ gw portcullis 4242 knock\.open - 203\.0\.113\.7/);
  assert.ok(Buffer.byteLength(hugeSd) <= 200);
});

test('TCP framing is octet counting: byte length, a space, the message (RFC 6587 §3.4.1)', () => {
  const msg = Buffer.from('<38>1 - - - - - é');
  assert.deepEqual(octetCounted(msg), Buffer.concat([Buffer.from(`${msg.length} `), msg]));
  assert.equal(octetCounted(msg).toString(), '18 <38>1 - - - - - é');
});
