// Target: the control-socket line protocol (src/control/protocol.ts and
// line-reader.ts): the daemon's request parser behind the line reader, and
// the client's reply parser.
import { ControlError } from '../../control/errors.js';
import { LineReader } from '../../control/line-reader.js';
import { MAX_REQUEST_BYTES, formatRequest, parseReply, parseRequest } from '../../control/protocol.js';
import { lineMutator, tokenMutator } from '../mutate-text.js';
import { ascii } from '../mutate.js';
import { violate, type Target } from '../target.js';

const CONTRACT = 'LineReader(1024, latin1) fed the input in chunks gives the same line, too-long or nothing however it is '
  + 'chunked; parseRequest(line) returns a request or throws ControlError CONTROL_BAD_REQUEST / CONTROL_UNKNOWN_COMMAND / '
  + 'CONTROL_BAD_ADDRESS, and a parsed request formats to a line that parses back to it; parseReply(line) returns a '
  + 'reply with a boolean ok or throws ControlError CONTROL_BAD_RESPONSE.';

const REQUEST_CODES = new Set(['CONTROL_BAD_REQUEST', 'CONTROL_UNKNOWN_COMMAND', 'CONTROL_BAD_ADDRESS']);

function readLine(input: Uint8Array, chunk: number): string {
  const r = new LineReader(MAX_REQUEST_BYTES, 'latin1');
  const buf = Buffer.from(input);
  for (let at = 0; at < buf.length; at += chunk) {
    const res = r.push(buf.subarray(at, at + chunk));
    if (res.kind === 'line') return `line:${res.line}`;
    if (res.kind === 'too-long') return 'too-long';
  }
  const end = r.end();
  return end === undefined ? 'none' : end.kind === 'line' ? `line:${end.line}` : end.kind;
}

function run(input: Uint8Array): string {
  const whole = readLine(input, input.length || 1);
  for (const chunk of [1, 7]) if (readLine(input, chunk) !== whole) violate(`chunks of ${chunk} bytes read a different line than one push`);
  let label = whole.startsWith('line:') ? '' : whole;
  if (whole.startsWith('line:')) {
    const line = whole.slice(5);
    try {
      const req = parseRequest(line);
      const again = parseRequest(formatRequest(req).slice(0, -1));
      if (JSON.stringify(again) !== JSON.stringify(req)) violate(`request does not survive format/parse: ${JSON.stringify(req)}`);
      label = `req ${req.op}`;
    } catch (e) {
      if (!(e instanceof ControlError) || !REQUEST_CODES.has(e.code)) throw e;
      label = e.code;
    }
  }
  const text = Buffer.from(input).toString('utf8');
  try {
    const reply = parseReply(text);
    if (typeof reply.ok !== 'boolean') violate('reply without a boolean ok');
    label += reply.ok ? ' reply ok' : ' reply error';
  } catch (e) {
    if (!(e instanceof ControlError) || e.code !== 'CONTROL_BAD_RESPONSE') throw e;
    label += ' bad reply';
  }
  return label;
}

export const controlTarget: Target = {
  name: 'control',
  contract: CONTRACT,
  maxLen: 2200,
  seeds: () => ['status\n', 'reload\r\n', 'revoke 192.0.2.7\n', 'revoke 2001:db8::7', 'revoke --all\n', 'revoke\t::ffff:1.2.3.4 \n',
    '{"ok":true,"revoked":2}\n', '{"ok":false,"error":{"code":"CONFIG_INVALID","message":"m","details":["a",1]}}\n',
    `revoke ${'1'.repeat(1030)}\n`].map(ascii),
  mutators: [[lineMutator(), 1], [tokenMutator(['status', 'reload', 'revoke', '--all', '::', '{', '}', '"ok"', 'true', 'null', '[]']), 5]],
  byteWeight: 4,
  dictionary: ['\n', '\r\n', '\r', ' ', '\t', 'revoke ', '--all', '{"ok":', '"error":', '\\u0000'].map(ascii),
  run,
};
