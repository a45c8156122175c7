// Log line formats. Pure: the entry carries its own time.
//   stderr, text:  2026-11-22 14:03:07 portcullis: msg
//   LogFile, text: [2026-11-22 14:03] msg          (knockd's logprint, knockd.md §1.2)
//   json (both):   {"time":"2026-11-22T13:03:07.120Z","level":"info","msg":"...",...fields}
// Times in the text formats are local, as in knockd.
import type { LogEntry } from './logger.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function localDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function localMinute(ms: number): string {
  const d = new Date(ms);
  return `${localDate(ms)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function localSecond(ms: number): string {
  return `${localMinute(ms)}:${pad(new Date(ms).getSeconds())}`;
}

/**
 * One message, one line: trailing newlines are dropped (several knockd messages
 * end in "\n", which made blank lines in its log file) and other control
 * characters are escaped, so text from a command's output cannot forge lines.
 */
export function oneLine(msg: string): string {
  return msg.replace(/[\r\n]+$/, '').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

export function stderrText(entry: LogEntry): string {
  return `${localSecond(entry.time)} portcullis: ${oneLine(entry.msg)}\n`;
}

export function logFileText(entry: LogEntry): string {
  return `[${localMinute(entry.time)}] ${oneLine(entry.msg)}\n`;
}

const RESERVED = new Set(['time', 'level', 'msg']);

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, ...('code' in value ? { code: value.code } : {}) };
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

export function jsonLine(entry: LogEntry): string {
  const record: Record<string, unknown> = {
    time: new Date(entry.time).toISOString(),
    level: entry.level,
    msg: entry.msg.replace(/[\r\n]+$/, ''),
  };
  for (const [key, value] of Object.entries(entry.fields ?? {})) {
    if (!RESERVED.has(key)) record[key] = value;
  }
  try {
    return `${JSON.stringify(record, jsonValue)}\n`;
  } catch (err) {
    // Circular fields: keep the message, say why the fields are missing.
    const { time, level, msg } = record;
    return `${JSON.stringify({ time, level, msg, fieldsError: (err as Error).message })}\n`;
  }
}
