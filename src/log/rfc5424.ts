// RFC 5424 syslog messages for the remote collector (syslog_remote). Pure.
//
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID k="v" …] MSG
//   <38>1 2026-12-01T10:00:00.123Z gw portcullis 4242 knock.open [portcullis@32473 src="203.0.113.7" door="ssh"] 203.0.113.7: ssh: OPEN SESAME
//
// PRI = facility × 8 + severity (§6.2.1); TIMESTAMP is RFC 3339 in UTC with
// milliseconds (§6.2.3); MSGID is the event name (src/log/events.ts); the
// fields are one SD-ELEMENT whose SD-ID is `portcullis@32473` (32473 is the
// enterprise number RFC 5612 reserves for documentation and examples). In
// PARAM-VALUE `"`, `\` and `]` are escaped with a backslash (§6.3.3). MSG is
// plain ASCII, or UTF-8 after a BOM when it holds anything else (§6.4).
// Framing: UDP sends one message per datagram (RFC 5426); TCP prefixes each
// with its length in octets and a space (octet counting, RFC 6587 §3.4.1).
import { oneLine } from './format.js';
import type { Fields, Level } from './logger.js';

export const SD_ID = 'portcullis@32473';
export const APP_NAME = 'portcullis';

/** Severity per level (§6.2.1): error 3, warning 4, informational 6, debug 7. */
export const SEVERITY: Readonly<Record<Level, number>> = { error: 3, warn: 4, info: 6, debug: 7 };

export interface Rfc5424Message {
  readonly facility: number;
  readonly level: Level;
  readonly time: number;
  readonly hostname: string;
  readonly procId: number | string;
  readonly msgId: string;
  readonly fields: Fields;
  readonly msg: string;
}

/** §6: header fields are PRINTUSASCII (33-126), each with a maximum length; empty is NILVALUE `-`. */
function headerField(text: string, max: number): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** SD-NAME (§6.3.3): PRINTUSASCII except `=`, space, `]` and `"`, at most 32 characters. */
function sdName(text: string): string {
  return text.replace(/[^\x21-\x7e]|[=\]"]/g, '_').slice(0, 32);
}

export function escapeParamValue(text: string): string {
  return text.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

function paramText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(paramText).join(',');
  if (value instanceof Error) return value.message;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** The STRUCTURED-DATA part: the fields (without `event`, which is the MSGID) as one SD-ELEMENT, or `-`. */
export function structuredData(fields: Fields): string {
  const params: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'event' || value === undefined || value === null) continue;
    // Control characters would split the message for line-based collectors.
    params.push(`${sdName(key)}="${escapeParamValue(oneLine(paramText(value)))}"`);
  }
  return params.length === 0 ? '-' : `[${SD_ID} ${params.join(' ')}]`;
}

const BOM = '\ufeff';

/** One RFC 5424 message, at most `maxBytes` long: MSG is cut first; if the header and SD alone are too long, SD is dropped. */
export function formatRfc5424(m: Rfc5424Message, maxBytes = 2048): Buffer {
  const pri = m.facility * 8 + SEVERITY[m.level];
  const header = `<${pri}>1 ${new Date(m.time).toISOString()} ${headerField(m.hostname, 255)} ${APP_NAME} ${headerField(String(m.procId), 128)} ${headerField(m.msgId, 32)}`;
  let sd = structuredData(m.fields);
  const text = oneLine(m.msg);
  // eslint-disable-next-line no-control-regex
  const msg = /^[\x00-\x7f]*$/.test(text) ? text : BOM + text;
  if (Buffer.byteLength(`${header} ${sd} `) > maxBytes) sd = '-';
  const head = Buffer.from(`${header} ${sd}${msg === '' ? '' : ' '}`);
  const body = Buffer.from(msg);
  if (head.length + body.length <= maxBytes) return Buffer.concat([head, body]);
  return Buffer.concat([head.subarray(0, maxBytes), utf8Prefix(body, Math.max(0, maxBytes - head.length))]);
}

/** The longest prefix of `b` within `n` bytes that does not split a UTF-8 character. */
function utf8Prefix(b: Buffer, n: number): Buffer {
  if (b.length <= n) return b;
  let end = n;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

/** RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`. */
export function octetCounted(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `), message]);
}
