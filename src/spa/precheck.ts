// The cheap checks fwknopd makes on a payload before any crypto
// (server/process_packet.c, server/incoming_spa.c preprocess_spa_data(),
// lib/fko_encryption.c fko_encryption_type(); fwknop.md §1.7, §2.2), and the
// replay-cache key. No allocation beyond the packet's string, no crypto except
// replayDigest()'s SHA-256: fit for the daemon's hot path.
import crypto from 'node:crypto';
import { b64encode, isB64Alphabet } from './base64.js';
import { SALTED_PREFIX_B64 } from './hmac.js';
import type { SpaErrorCode } from './types.js';

/** MIN_SPA_DATA_SIZE (server/fwknopd_common.h): shorter payloads are ignored. */
export const MIN_SPA_DATA_SIZE = 140;
/** MAX_SPA_PACKET_LEN: longer payloads are ignored. */
export const MAX_SPA_PACKET_LEN = 1500;
/** MIN_GNUPG_MSG_SIZE (lib/fko_limits.h): a wire string this long is classified as GPG. */
export const MIN_GNUPG_MSG_SIZE = 400;
/** B64_GPG_PREFIX: the b64 of the OpenPGP PKESK header, which the GPG client strips like U2FsdGVkX1. */
export const GPG_PREFIX_B64 = 'hQ';

/** The payload as a string of its bytes (latin1: one char per byte, so lengths agree). */
export function packetText(packet: string | Uint8Array): string {
  if (typeof packet === 'string') return packet;
  return Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength).toString('latin1');
}

export interface Refusal {
  readonly code: SpaErrorCode;
  readonly reason: string;
}

/**
 * Why fwknopd would drop this payload before trying any key, or undefined if it
 * is a Rijndael SPA candidate. `commands`: for a stanza with ENABLE_CMD_EXEC,
 * where the length rule is left to the decoder (SpaKeys.commands).
 */
export function precheckText(text: string, commands = false): Refusal | undefined {
  if (text.length < MIN_SPA_DATA_SIZE) return { code: 'SPA_TOO_SHORT', reason: `payload of ${text.length} bytes is shorter than ${MIN_SPA_DATA_SIZE}` };
  if (text.length > MAX_SPA_PACKET_LEN) return { code: 'SPA_TOO_LONG', reason: `payload of ${text.length} bytes is longer than ${MAX_SPA_PACKET_LEN}` };
  if (text.startsWith(SALTED_PREFIX_B64)) {
    // preprocess_spa_data(): real clients strip it, so this is a replay with the prefix put back.
    return { code: 'SPA_PREFIXED', reason: 'payload starts with "U2FsdGVkX1" (a replayed packet with its prefix restored)' };
  }
  if (!isB64Alphabet(text)) return { code: 'SPA_NOT_BASE64', reason: 'payload has characters outside [A-Za-z0-9+/]' };
  // A Rijndael wire packet always starts with one of 8 9 + / (the last 4 bits of "Salted__" are 1111),
  // so an "hQ" start is GPG (or a GPG replay with its prefix restored) whatever the length.
  if ((text.length >= MIN_GNUPG_MSG_SIZE && !commands) || text.startsWith(GPG_PREFIX_B64)) {
    return { code: 'SPA_GPG', reason: `GPG-encrypted SPA (${text.length} chars; fwknopd treats ≥ ${MIN_GNUPG_MSG_SIZE} as GPG) is not supported, only Rijndael (KEY/KEY_BASE64) SPA` };
  }
  return undefined;
}

/** The refusal code for a payload (size, prefix, charset, GPG), or undefined when it is worth trying keys on. */
export function precheck(packet: string | Uint8Array, commands = false): SpaErrorCode | undefined {
  return precheckText(packetText(packet), commands)?.code;
}

/**
 * fwknopd's replay-cache key (server/replay_cache.c): b64(SHA-256(the packet
 * as received, HMAC included)) without `=`. fwknopd checks it before
 * decrypting and records it after the first successful decrypt.
 */
export function replayDigest(packet: string | Uint8Array): string {
  const h = crypto.createHash('sha256');
  if (typeof packet === 'string') h.update(packet, 'latin1');
  else h.update(packet);
  return b64encode(h.digest());
}
