// What `fwknop -v` prints for a packet: dump_ctx_to_buffer() in
// common/fko_util.c, labels right-aligned to 15 characters, so
// `portcullis spa decode` output can be diffed against fwknop's.
import { DIGEST_NAME, DIGEST_NUMBER } from './digest.js';
import { messageString, natString } from './fields.js';
import type { DecodedSpa, InnerDigest } from './types.js';

/** NULL_STRING in common/fko_util.c. */
const NULL = '<NULL>';

/** msg_type_inttostr() (common/fko_util.c). */
const MESSAGE_TYPE_NAME = [
  'Command msg', 'Access msg', 'NAT access msg', 'Client timeout access msg',
  'Client timeout NAT access msg', 'Local NAT access msg', 'Client timeout local NAT access msg',
] as const;

function digestLabel(d: InnerDigest): string {
  return `${DIGEST_NUMBER[d]} (${DIGEST_NAME[d]})`;
}

/** The "SPA Field Values" as [label, value] pairs, in fwknop's order. */
export function spaFieldValues(d: DecodedSpa): Array<readonly [string, string]> {
  const m = d.message;
  return [
    ['Random Value', m.random],
    ['Username', m.username],
    ['Timestamp', String(m.timestamp)],
    ['FKO Version', m.version],
    ['Message Type', `${m.type} (${MESSAGE_TYPE_NAME[m.type] ?? 'Unknown message type'})`],
    ['Message String', messageString(m)],
    ['Nat Access', m.nat ? natString(m.nat) : NULL],
    ['Server Auth', m.serverAuth ?? NULL],
    ['Client Timeout', String(m.clientTimeout ?? 0)],
    ['Digest Type', digestLabel(d.digest)],
    ['HMAC Type', d.hmacDigest && d.hmac !== undefined ? digestLabel(d.hmacDigest) : '0 (None)'],
    ['Encryption Type', '1 (Rijndael)'], // FKO_ENCRYPTION_RIJNDAEL
    ['Encryption Mode', d.mode === 'legacy' ? '8 (legacy)' : '2 (CBC)'], // FKO_ENC_MODE_CBC_LEGACY_IV / FKO_ENC_MODE_CBC
    ['Encoded Data', d.encoded],
    ['SPA Data Digest', d.innerDigest],
    ['HMAC', d.hmac ?? NULL],
    ['Final SPA Data', d.packet ?? NULL],
  ];
}

/** The lines `fwknop -v` prints, "SPA Field Values:" header included, without trailing newlines. */
export function describeSpa(d: DecodedSpa): string[] {
  return ['SPA Field Values:', '=================', ...spaFieldValues(d).map(([k, v]) => `${k.padStart(15)}: ${v}`)];
}
