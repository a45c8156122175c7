import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PortcullisError } from '../errors.js';
import { ControlError } from './errors.js';
import { LineReader } from './line-reader.js';
import { formatReply, formatRequest, parseReply, parseRequest, replyForError, type Request } from './protocol.js';

function refused(line: string): string {
  try {
    parseRequest(line);
  } catch (err) {
    assert.ok(err instanceof ControlError);
    return err.code;
  }
  assert.fail(`accepted ${JSON.stringify(line)}`);
}

describe('parseRequest', () => {
  it('reads the four requests', () => {
    assert.deepEqual(parseRequest('status'), { op: 'status' });
    assert.deepEqual(parseRequest('reload'), { op: 'reload' });
    assert.deepEqual(parseRequest('revoke 192.0.2.7'), { op: 'revoke', address: '192.0.2.7' });
    assert.deepEqual(parseRequest('revoke --all'), { op: 'revoke', address: undefined });
  });

  it('allows surrounding blanks and tabs between words', () => {
    assert.deepEqual(parseRequest('  revoke\t 192.0.2.7  '), { op: 'revoke', address: '192.0.2.7' });
  });

  it('canonicalises IPv6 addresses', () => {
    assert.deepEqual(parseRequest('revoke 2001:DB8:0:0::7'), { op: 'revoke', address: '2001:db8::7' });
  });

  it('refuses what is not a request, with stable codes', () => {
    assert.equal(refused(''), 'CONTROL_BAD_REQUEST');
    assert.equal(refused('   '), 'CONTROL_BAD_REQUEST');
    assert.equal(refused('status now'), 'CONTROL_BAD_REQUEST');
    assert.equal(refused('reload x'), 'CONTROL_BAD_REQUEST');
    assert.equal(refused('revoke'), 'CONTROL_BAD_REQUEST');
    assert.equal(refused('revoke 192.0.2.7 192.0.2.8'), 'CONTROL_BAD_REQUEST');
    assert.equal(refused('revoke 192.0.2.256'), 'CONTROL_BAD_ADDRESS');
    assert.equal(refused('revoke 010.0.0.1'), 'CONTROL_BAD_ADDRESS');
    assert.equal(refused('revoke 10.0.0.0/8'), 'CONTROL_BAD_ADDRESS');
    assert.equal(refused('revoke host.example'), 'CONTROL_BAD_ADDRESS');
    assert.equal(refused('STATUS'), 'CONTROL_UNKNOWN_COMMAND');
    assert.equal(refused('shutdown'), 'CONTROL_UNKNOWN_COMMAND');
    assert.equal(refused('status\u0000'), 'CONTROL_BAD_REQUEST');
    assert.equal(refused('status\u00e9'), 'CONTROL_BAD_REQUEST');
  });

  it('quotes long input only in part', () => {
    assert.throws(() => parseRequest(`x${'y'.repeat(500)}`), (err: ControlError) => err.message.length < 200);
  });
});

describe('formatRequest', () => {
  it('writes lines parseRequest reads back', () => {
    const requests: Request[] = [{ op: 'status' }, { op: 'reload' }, { op: 'revoke', address: '2001:db8::7' }, { op: 'revoke', address: undefined }];
    for (const r of requests) {
      const line = formatRequest(r);
      assert.ok(line.endsWith('\n'));
      assert.deepEqual(parseRequest(line.slice(0, -1)), r);
    }
    assert.equal(formatRequest({ op: 'revoke', address: undefined }), 'revoke --all\n');
  });
});

describe('replies', () => {
  it('are one JSON line, also when messages hold newlines', () => {
    const line = formatReply({ ok: false, error: { code: 'CONFIG_INVALID', message: 'a\nb', details: ['f:1: x\ny'] } });
    assert.equal(line.indexOf('\n'), line.length - 1);
    assert.deepEqual(parseReply(line), { ok: false, error: { code: 'CONFIG_INVALID', message: 'a\nb', details: ['f:1: x\ny'] } });
    assert.deepEqual(parseReply(formatReply({ ok: true, revoked: 2 })), { ok: true, revoked: 2 });
  });

  it('keep unknown fields (newer daemons may add some)', () => {
    assert.deepEqual(parseReply('{"ok":true,"revoked":1,"later":"x"}'), { ok: true, revoked: 1, later: 'x' });
  });

  it('refuse what is not a reply', () => {
    for (const bad of ['', 'ok', '[]', 'null', '{"ok":"yes"}', '{"ok":false}', '{"ok":false,"error":{"code":1,"message":"m"}}']) {
      assert.throws(() => parseReply(bad), (err: ControlError) => err.code === 'CONTROL_BAD_RESPONSE', bad);
    }
  });

  it('keep the code of our errors and hide nothing else', () => {
    assert.deepEqual(replyForError(new ControlError('CONFIG_INVALID', 'bad', ['f:1: x'])), { ok: false, error: { code: 'CONFIG_INVALID', message: 'bad', details: ['f:1: x'] } });
    assert.deepEqual(replyForError(new PortcullisError('STATE_DIR_CREATE', 'no')), { ok: false, error: { code: 'STATE_DIR_CREATE', message: 'no' } });
    assert.deepEqual(replyForError(new TypeError('oops')), { ok: false, error: { code: 'CONTROL_INTERNAL', message: 'internal error: oops' } });
  });
});

describe('LineReader', () => {
  const bytes = (s: string) => Buffer.from(s, 'latin1');

  it('joins chunks up to the first newline and ignores what follows', () => {
    const r = new LineReader(16);
    assert.deepEqual(r.push(bytes('sta')), { kind: 'more' });
    assert.deepEqual(r.push(bytes('tus\nreload\n')), { kind: 'line', line: 'status' });
    assert.deepEqual(r.push(bytes('more\n')), { kind: 'more' });
    assert.equal(r.end(), undefined);
  });

  it('drops the \\r of \\r\\n', () => {
    assert.deepEqual(new LineReader(6).push(bytes('status\r\n')), { kind: 'line', line: 'status' });
  });

  it('takes exactly the bound, refuses one byte more', () => {
    assert.deepEqual(new LineReader(4).push(bytes('abcd\n')), { kind: 'line', line: 'abcd' });
    assert.deepEqual(new LineReader(4).push(bytes('abcde\n')), { kind: 'too-long' });
    assert.deepEqual(new LineReader(4).push(bytes('abcd\r\n')), { kind: 'line', line: 'abcd' });
    const r = new LineReader(4);
    r.push(bytes('abc'));
    assert.deepEqual(r.push(bytes('de')), { kind: 'more' }, 'the fifth byte may be a \\r');
    assert.deepEqual(r.push(bytes('f')), { kind: 'too-long' }, 'refused before any newline arrives');
    assert.deepEqual(new LineReader(4).push(bytes('abcd\rx')), { kind: 'too-long' });
  });

  it('gives the unterminated line at end of input', () => {
    const r = new LineReader(16);
    r.push(bytes('reload'));
    assert.deepEqual(r.end(), { kind: 'line', line: 'reload' });
    assert.equal(new LineReader(16).end(), undefined);
  });

  it('keeps bytes as they are in latin1, so non-ASCII is seen and refused', () => {
    const r = new LineReader(16, 'latin1');
    const got = r.push(Buffer.from('st\u00e9\n', 'utf8'));
    assert.equal(got.kind, 'line');
    assert.throws(() => parseRequest((got as { line: string }).line));
  });
});
