// The TCPFlags door key: `syn`, `fin,!ack`, … Each flag may be prefixed with `!`
// (must be clear). Case-insensitive as in knockd. Unlike knockd, spaces after
// the commas are allowed: knockd rejected `syn, ack` with `unrecognized flag " ACK"`.
import { TCP_FLAG_BITS, type TcpFlag, type TcpFlagRule } from './model.js';
import { InvalidValueError } from './errors.js';

const EXPECTED = 'expected fin, syn, rst, psh, ack or urg, each optionally prefixed with ! (must be clear), separated by commas';

/**
 * Adds the flags of one TCPFlags line to those of earlier lines (knockd
 * accumulates them). A flag given twice keeps its place and takes the later setting.
 */
export function parseTcpFlags(text: string, earlier: readonly TcpFlagRule[] = []): TcpFlagRule[] {
  const rules = [...earlier];
  for (const raw of text.split(',')) {
    const token = raw.trim().toLowerCase();
    const set = !token.startsWith('!');
    const name = (set ? token : token.slice(1)).trim();
    if (!isTcpFlag(name)) {
      throw new InvalidValueError('CONFIG_BAD_FLAG', `"${raw.trim()}" is not a TCP flag; ${EXPECTED}`);
    }
    const rule: TcpFlagRule = { flag: name, set };
    const at = rules.findIndex((r) => r.flag === name);
    if (at >= 0) rules[at] = rule;
    else rules.push(rule);
  }
  return rules;
}

/** `syn,!ack` */
export function formatTcpFlags(rules: readonly TcpFlagRule[]): string {
  return rules.map((r) => (r.set ? r.flag : `!${r.flag}`)).join(',');
}

function isTcpFlag(name: string): name is TcpFlag {
  return Object.hasOwn(TCP_FLAG_BITS, name);
}
