// The SPA codec's vocabulary: fwknop's FKO protocol 3.0.0 messages, keys and
// errors (../shared/research/fwknop.md §1). Shared by the client, the daemon
// and `portcullis spa decode`; the codec itself is pure (no I/O, time is an input).
import { PortcullisError } from '../errors.js';

/** fko_message_type_t (lib/fko.h). */
export const MessageType = {
  command: 0,
  access: 1,
  natAccess: 2,
  clientTimeoutAccess: 3,
  clientTimeoutNatAccess: 4,
  localNatAccess: 5,
  clientTimeoutLocalNatAccess: 6,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export type InnerDigest = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-512';
export type HmacDigest = InnerDigest;
/** `cbc`: the default; `legacy`: the pre-2.5 IV derivation (key right-padded with '0' to 16 bytes), decode only needs it. */
export type EncryptionMode = 'cbc' | 'legacy';

export interface AccessSpec {
  /** fwknopd grants only tcp and udp; libfko also allows icmp and none. */
  readonly proto: 'tcp' | 'udp' | 'icmp' | 'none';
  readonly port: number;
}

/** The decrypted fields of one SPA packet, in wire order. */
export interface SpaMessage {
  /** Exactly 16 ASCII digits. */
  readonly random: string;
  readonly username: string;
  /** Unix seconds (the wire field is a signed 32-bit decimal). */
  readonly timestamp: number;
  /** `3.0.0` from current clients. */
  readonly version: string;
  readonly type: MessageType;
  /** The address the client asks to be let in from (`0.0.0.0` from `fwknop -s`). */
  readonly allowIp: string;
  /** Types 1–6: what to open. */
  readonly access: readonly AccessSpec[];
  /** Type 0: the command string. */
  readonly command?: string;
  /** Types 2, 4, 5, 6: `host,port` (NAT access). */
  readonly nat?: { readonly host: string; readonly port: number };
  readonly serverAuth?: string;
  /** Types 3, 4, 6: seconds the client asks for. */
  readonly clientTimeout?: number;
}

export interface SpaKeys {
  /** The Rijndael key bytes (decoded KEY_BASE64, or the ASCII of KEY), 1–32 bytes. */
  readonly encryption: Uint8Array;
  /** The HMAC key bytes; undefined = no HMAC on the packet. */
  readonly hmac?: Uint8Array;
  /** Default sha256. */
  readonly hmacDigest?: HmacDigest;
  /** Default cbc. */
  readonly mode?: EncryptionMode;
  /**
   * Decoding for a stanza that runs command messages (ENABLE_CMD_EXEC): fwknopd
   * tries Rijndael on a packet of 400 characters or more too, and only libfko's
   * own limit applies: the ciphertext without its HMAC, "U2FsdGVkX1" restored,
   * under 400 (fwknop.md §1.7; a 417-character command packet was run).
   */
  readonly commands?: boolean;
}

export interface EncodeOptions {
  /** Inner digest, default sha256. */
  readonly digest?: InnerDigest;
  /** Fixed values for deterministic tests; random when absent. */
  readonly salt?: Uint8Array;
  /** A command message for a stanza with ENABLE_CMD_EXEC: the 400-character rule as SpaKeys.commands decodes it. */
  readonly commands?: boolean;
}

/** A packet that passed every codec check. */
export interface DecodedSpa {
  readonly message: SpaMessage;
  readonly digest: InnerDigest;
  /** fwknopd's replay cache key: b64(SHA256(wire packet string)), no `=`. */
  readonly replayDigest: string;
  /** The encoded field string and inner digest, for `spa decode` (as `fwknop -v` prints them). */
  readonly encoded: string;
  readonly innerDigest: string;
  /** The wire packet string as received (`fwknop -v`'s "Final SPA Data"). */
  readonly packet?: string;
  /** The HMAC as it was on the wire (b64, no `=`); absent when the keys have no HMAC key. */
  readonly hmac?: string;
  /** The HMAC type the packet was checked with (keys.hmacDigest or its default); absent without HMAC. */
  readonly hmacDigest?: HmacDigest;
  /** The mode the packet decrypted with (keys.mode or its default). */
  readonly mode?: EncryptionMode;
}

/** Why a packet was refused; stable codes for counters and log lines. */
export type SpaErrorCode =
  | 'SPA_TOO_SHORT'
  | 'SPA_TOO_LONG'
  | 'SPA_NOT_BASE64'
  | 'SPA_PREFIXED'
  | 'SPA_GPG'
  | 'SPA_BAD_HMAC'
  | 'SPA_DECRYPT_FAILED'
  | 'SPA_BAD_DIGEST'
  | 'SPA_BAD_FIELDS'
  | 'SPA_BAD_KEY';

export class SpaError extends PortcullisError {
  declare readonly code: SpaErrorCode;
  constructor(code: SpaErrorCode, message: string) {
    super(code, message);
  }
}

export type DecodeResult = { readonly ok: true; readonly value: DecodedSpa } | { readonly ok: false; readonly error: SpaError };
