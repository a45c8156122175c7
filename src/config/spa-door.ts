// SPA doors: fwknop-compatible Single Packet Authorization in the same config
// file. A door with `key_base64` (or `key`) and no sequence is an SPA door;
// its keys are fwknopd's access.conf names in lower case (fwknop.md §2.3):
//
//   [ssh-spa]
//       spa_port               = 62201          # UDP, default 62201
//       spa_listen             = pcap           # or socket (bind the port; no capture privileges)
//       key_base64             = …              # or key = PASSPHRASE (1–32 bytes)
//       hmac_key_base64        = …              # or hmac_key = PASSPHRASE (1–128 bytes); none: no HMAC
//       hmac_digest_type       = sha256         # md5 sha1 sha256 sha384 sha512 sha3_256 sha3_512
//       encryption_mode        = cbc            # or legacy (pre-2.5 IV, no HMAC)
//       open_ports             = tcp/22, udp/1194
//       source                 = 203.0.113.0/24 # packet sources allowed; default any
//       require_username       = alice
//       require_source_address = yes            # the message's IP must be the packet's source
//       fw_access_timeout      = 30             # when the client asks for no timeout
//       max_fw_timeout         = 300            # cap on the client's `fwknop -f`
//       enable_cmd_exec        = no             # command messages are never run (yes is refused)
//       forward                = tcp/13389 -> 10.0.0.5:3389  # NAT requests granted (fwknop -N)
//
// Start_Command / Stop_Command (with %IP%, %PORT%, %PROTO%, %TIMEOUT%) may
// replace the firewall backend; `forward` lists, exactly, the NAT access
// requests (`fwknop -N 10.0.0.5:3389 -A tcp/13389`) the door grants through
// the gateway forwarding of the nftables or iptables backend. Every other
// knock-door key is an error on an SPA door, and every SPA key is an error on
// a knock door. Pure: values in,
// SpaDoor out, problems reported with file, line and key.
import { DEFAULTS, type Cidr, type Door, type ForwardRule, type OpenPort, type SpaDigest, type SpaDoor } from './model.js';
import type { Origin, Problems } from './problems.js';
import { InvalidValueError } from './errors.js';
import { parseOpenList } from './firewall-values.js';
import { parseAllowList, parseSeconds, parseYesNo } from './values.js';
import { stripTrailingComment } from './sequence.js';

/** Canonical SPA door key for each accepted spelling (lower case); spread into DOOR_KEYS. */
export const SPA_DOOR_KEYS = {
  spa_port: 'spa_port',
  spa_listen: 'spa_listen',
  key_base64: 'key_base64',
  key: 'key',
  hmac_key_base64: 'hmac_key_base64',
  hmac_key: 'hmac_key',
  hmac_digest_type: 'hmac_digest_type',
  encryption_mode: 'encryption_mode',
  open_ports: 'open_ports',
  source: 'source',
  require_username: 'require_username',
  require_source_address: 'require_source_address',
  // fwknopd's alias.
  require_source: 'require_source_address',
  fw_access_timeout: 'fw_access_timeout',
  max_fw_timeout: 'max_fw_timeout',
  enable_cmd_exec: 'enable_cmd_exec',
} as const;
export type SpaKey = (typeof SPA_DOOR_KEYS)[keyof typeof SPA_DOOR_KEYS];

const SPA_KEY_SET: ReadonlySet<string> = new Set(Object.values(SPA_DOOR_KEYS));

export function isSpaKey(key: string): key is SpaKey {
  return SPA_KEY_SET.has(key);
}

/**
 * Door keys an SPA door may have too: its grant may run commands instead of a
 * firewall backend, and `forward` lists the NAT requests (fwknop -N) it grants.
 */
export const SPA_SHARED_KEYS: ReadonlySet<string> = new Set(['start_command', 'start_command_6', 'stop_command', 'stop_command_6', 'forward']);

/** fwknopd accepts MAX_SPA_PACKET_AGE up to 100000 s. */
const MAX_PACKET_AGE_S = 100_000;

/** `[options] max_spa_packet_age = SECONDS`: 1 to 100000. */
export function parseMaxPacketAge(text: string): number {
  const ms = parseSeconds(text, 1);
  if (ms > MAX_PACKET_AGE_S * 1000) {
    throw new InvalidValueError('CONFIG_BAD_NUMBER', `${ms / 1000} seconds is out of range; expected a whole number of seconds from 1 to ${MAX_PACKET_AGE_S}`);
  }
  return ms;
}

const PORT = /^[0-9]{1,5}$/;

export function parseSpaPort(text: string): number {
  const value = stripTrailingComment(text);
  const n = Number(value);
  if (!PORT.test(value) || n < 1 || n > 65535) {
    throw new InvalidValueError('CONFIG_BAD_PORT', `"${value}" is not a UDP port number; expected 1-65535 (fwknop's default is 62201)`);
  }
  return n;
}

export function parseSpaListen(text: string): 'pcap' | 'socket' {
  const value = text.trim().toLowerCase();
  if (value === 'pcap' || value === 'socket') return value;
  throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not a way to receive SPA packets; expected pcap (capture, nothing listens) or socket (bind the UDP port)`);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PLACEHOLDER = '__CHANGEME__';

/** Standard base64 (padding optional, as fwknop writes it), decoded to `min`–`max` bytes. */
export function parseBase64Key(text: string, what: string, max: number): Uint8Array {
  const value = text.trim();
  const bare = value.replace(/=+$/, '');
  if (value === '' || !BASE64.test(value) || bare.length % 4 === 1 || (value.includes('=') && value.length % 4 !== 0)) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `not base64; expected the ${what} in standard base64, as fwknop --key-gen prints it (e.g. ${what === 'HMAC key' ? 'HMAC_KEY_BASE64' : 'KEY_BASE64'}: …)`);
  }
  const bytes = new Uint8Array(Buffer.from(bare, 'base64'));
  if (bytes.length < 1 || bytes.length > max) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `decodes to ${bytes.length} bytes; expected a ${what} of 1 to ${max} bytes`);
  }
  return bytes;
}

/** A passphrase (`key`, `hmac_key`): its UTF-8 bytes, verbatim, 1–`max` of them. */
export function parsePassphrase(text: string, what: string, max: number): Uint8Array {
  if (text === PLACEHOLDER) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `${PLACEHOLDER} is fwknop's placeholder; expected a real ${what}`);
  }
  const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
  if (bytes.length < 1 || bytes.length > max) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `${bytes.length} bytes; expected a ${what} of 1 to ${max} bytes`);
  }
  return bytes;
}

const DIGESTS: Readonly<Record<string, SpaDigest>> = {
  md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
  sha3_256: 'sha3-256', sha3_512: 'sha3-512', 'sha3-256': 'sha3-256', 'sha3-512': 'sha3-512',
};

/** fwknop's spelling (`sha3_256`), case-insensitive; `sha3-256` is accepted too. */
export function parseHmacDigest(text: string): SpaDigest {
  const found = DIGESTS[text.trim().toLowerCase()];
  if (!found) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not an HMAC digest; expected one of md5, sha1, sha256, sha384, sha512, sha3_256, sha3_512`);
  }
  return found;
}

export function parseEncryptionMode(text: string): 'cbc' | 'legacy' {
  const value = text.trim().toLowerCase();
  if (value === 'cbc' || value === 'legacy') return value;
  throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" is not a supported encryption mode; expected cbc (fwknop's default) or legacy (pre-2.5 clients)`);
}

/** fwknop's validate_username(): printable, none of `"/\[]:;|=,+*?<>`, and short enough to decode (b64 ≤ 64). */
export function parseUsername(text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (text === '' || bytes > 48 || !/^[\x21-\x7e]+$/.test(text) || /["/\\[\]:;|=,+*?<>]/.test(text)) {
    throw new InvalidValueError('CONFIG_BAD_VALUE', `"${text}" cannot be an fwknop username; expected 1 to 48 printable characters without spaces or any of " / \\ [ ] : ; | = , + * ? < >`);
  }
  return text;
}

/** `source = ANY` (fwknopd's spelling) or networks; ANY is the empty list. */
export function parseSource(text: string): Cidr[] {
  if (text.trim().toLowerCase() === 'any') return [];
  return parseAllowList(text);
}

/** What the rest of the door tells the SPA checks. */
export interface SpaDoorContext {
  readonly name: string;
  readonly line: number;
  /** Start_Command or Start_Command_6 is set: the grant runs commands, not a firewall backend. */
  readonly commands: boolean;
  /** Where `forward` was given (NAT requests the door grants). */
  readonly forwardAt?: Origin;
}

export class SpaDraft {
  /** Where the first SPA key of the door was given (any SPA key). */
  firstAt?: Origin;
  /** Where key_base64 or key was given: the door is an SPA door. */
  keyAt?: Origin;
  port: number = DEFAULTS.spaPort;
  portAt?: Origin;
  listen: 'pcap' | 'socket' = 'pcap';
  key?: Uint8Array;
  hmacKey?: Uint8Array;
  hmacAt?: Origin;
  hmacDigest: SpaDigest = 'sha256';
  hmacDigestAt?: Origin;
  encryptionMode: 'cbc' | 'legacy' = 'cbc';
  encryptionModeAt?: Origin;
  openPorts?: OpenPort[];
  openPortsAt?: Origin;
  source: Cidr[] = [];
  requireUsername?: string;
  requireSourceAddress = true;
  accessTimeoutMs: number = DEFAULTS.spaAccessTimeoutMs;
  maxTimeoutMs: number = DEFAULTS.spaMaxTimeoutMs;
  /** Every SPA key given, for the errors on a knock door. */
  readonly given: Origin[] = [];
  /** A key line that failed to parse: build nothing (the error is reported). */
  private broken = false;

  apply(key: SpaKey, value: string, at: Origin, problems: Problems): void {
    this.firstAt ??= at;
    this.given.push(at);
    const v = <T>(parse: () => T): T | undefined => {
      const out = problems.value(at, parse);
      if (out === undefined) this.broken = true;
      return out;
    };
    switch (key) {
      case 'spa_port': this.port = v(() => parseSpaPort(value)) ?? this.port; this.portAt = at; return;
      case 'spa_listen': this.listen = v(() => parseSpaListen(value)) ?? this.listen; return;
      case 'key_base64':
      case 'key': {
        if (this.keyAt && this.keyAt.key.toLowerCase() !== at.key.toLowerCase()) {
          problems.atKey('CONFIG_CONFLICT', at, `the door already has ${this.keyAt.key} on line ${this.keyAt.line}; expected either key_base64 or key, not both`);
        }
        this.keyAt = at;
        this.key = v(() => (key === 'key' ? parsePassphrase(value, 'Rijndael key', 32) : parseBase64Key(value, 'Rijndael key', 32))) ?? this.key;
        return;
      }
      case 'hmac_key_base64':
      case 'hmac_key': {
        if (this.hmacAt && this.hmacAt.key.toLowerCase() !== at.key.toLowerCase()) {
          problems.atKey('CONFIG_CONFLICT', at, `the door already has ${this.hmacAt.key} on line ${this.hmacAt.line}; expected either hmac_key_base64 or hmac_key, not both`);
        }
        this.hmacAt = at;
        this.hmacKey = v(() => (key === 'hmac_key' ? parsePassphrase(value, 'HMAC key', 128) : parseBase64Key(value, 'HMAC key', 128))) ?? this.hmacKey;
        return;
      }
      // Their origins only for values that parsed: the checks across keys need a value.
      case 'hmac_digest_type': {
        const digest = v(() => parseHmacDigest(value));
        if (digest) { this.hmacDigest = digest; this.hmacDigestAt = at; }
        return;
      }
      case 'encryption_mode': {
        const mode = v(() => parseEncryptionMode(value));
        if (mode) { this.encryptionMode = mode; this.encryptionModeAt = at; }
        return;
      }
      case 'open_ports': this.openPorts = v(() => parseOpenList(value)) ?? this.openPorts; this.openPortsAt = at; return;
      // Several lines add up, as `allow` does.
      case 'source': this.source.push(...(v(() => parseSource(value)) ?? [])); return;
      case 'require_username': this.requireUsername = v(() => parseUsername(value)) ?? this.requireUsername; return;
      case 'require_source_address': this.requireSourceAddress = v(() => parseYesNo(value)) ?? this.requireSourceAddress; return;
      case 'fw_access_timeout': this.accessTimeoutMs = v(() => parseSeconds(value, 1)) ?? this.accessTimeoutMs; return;
      case 'max_fw_timeout': this.maxTimeoutMs = v(() => parseSeconds(value, 1)) ?? this.maxTimeoutMs; return;
      case 'enable_cmd_exec': {
        const yes = v(() => parseYesNo(value));
        if (yes) {
          this.broken = true;
          problems.atKey('CONFIG_BAD_VALUE', at,
            'Portcullis does not run SPA command messages (fwknop -C): a remote command as root is a risk it does not take; expected no (the default), and a Start_Command for what should run when the door opens');
        }
        return;
      }
    }
  }

  /** A line for `key` too broken to parse (no `=`): it still says what kind of door this is. */
  noteTried(key: SpaKey, at: Origin): void {
    this.firstAt ??= at;
    if (key === 'key_base64' || key === 'key') this.keyAt ??= at;
    if (key === 'open_ports') this.openPortsAt ??= at;
    this.broken = true;
  }

  /** Checks within the door, once all its lines are read (only for a door that is an SPA door). */
  check(door: SpaDoorContext, problems: Problems): void {
    const at = this.keyAt!;
    if (!this.openPortsAt && !door.forwardAt) {
      problems.atKey('CONFIG_BAD_VALUE', at, `[${door.name}] is an SPA door without open_ports; expected open_ports = PROTO/PORT, … (what a client may ask for, e.g. open_ports = tcp/22)`);
    }
    if (door.forwardAt && door.commands) {
      problems.atKey('CONFIG_CONFLICT', door.forwardAt, `[${door.name}] grants through its Start_Command, which cannot forward; expected forward only on an SPA door that grants through a firewall backend (no Start_Command)`);
    }
    if (this.key && this.hmacKey && Buffer.from(this.key).equals(Buffer.from(this.hmacKey))) {
      problems.atKey('CONFIG_CONFLICT', this.hmacAt!, 'is the same as the encryption key; expected a different HMAC key (fwknop --key-gen makes both)');
    }
    if (this.hmacDigestAt && !this.hmacAt) {
      problems.atKey('CONFIG_CONFLICT', this.hmacDigestAt, `[${door.name}] has no HMAC key, so there is no HMAC to check; expected hmac_key_base64 (or hmac_key) too, or no hmac_digest_type`);
    }
    if (this.encryptionMode === 'legacy' && this.hmacAt) {
      problems.atKey('CONFIG_CONFLICT', this.encryptionModeAt!, 'fwknop clients never add an HMAC to legacy-mode packets; expected encryption_mode = cbc with an HMAC key, or legacy without one');
    }
  }

  /** The finished SPA settings, or undefined if a line of them did not parse. */
  build(): SpaDoor | undefined {
    if (this.broken || !this.key) return undefined;
    return {
      port: this.port,
      listen: this.listen,
      key: this.key,
      ...(this.hmacKey !== undefined && { hmacKey: this.hmacKey }),
      hmacDigest: this.hmacDigest,
      encryptionMode: this.encryptionMode,
      openPorts: this.openPorts ?? [],
      source: this.source,
      ...(this.requireUsername !== undefined && { requireUsername: this.requireUsername }),
      requireSourceAddress: this.requireSourceAddress,
      accessTimeoutMs: this.accessTimeoutMs,
      maxTimeoutMs: this.maxTimeoutMs,
    };
  }
}

/**
 * The Door of an SPA door: no sequence (the Doorkeeper never sees it), its
 * commands if any, and — when it grants through a firewall backend (no start
 * command) — its open_ports as `open`, so the backend protects them as it
 * protects any `open =` port (src/grants/record.ts layoutFor).
 */
export function spaDoor(name: string, line: number, commands: Pick<Door, 'startCommand' | 'startCommand6' | 'stopCommand' | 'stopCommand6'>, spa: SpaDoor, forwards: readonly ForwardRule[] = []): Door {
  const viaCommands = commands.startCommand !== undefined || commands.startCommand6 !== undefined;
  return {
    name, line, sequence: [],
    seqTimeoutMs: DEFAULTS.seqTimeoutMs, knockMinGapMs: 0, knockMaxGapMs: 0,
    cmdTimeoutMs: spa.accessTimeoutMs,
    ...commands,
    tcpFlags: [], allow: [], allowDuplicates: false, cooldownMs: 0,
    open: viaCommands ? [] : spa.openPorts,
    // The NAT requests (fwknop -N HOST:PORT -A PROTO/PORT) it grants, each exactly as listed.
    forwards: viaCommands ? [] : forwards,
    openTimeoutMs: spa.accessTimeoutMs,
    revokes: [],
    spa,
  };
}

/** The `portcullis check` rows of an SPA door (never its keys). */
export function describeSpaDoor(d: Door): [string, string][] {
  const s = d.spa!;
  const viaCommands = d.startCommand !== undefined || d.startCommand6 !== undefined;
  const cmd = (c: string | undefined) => (c === undefined ? 'none' : c === '' ? 'nothing (empty)' : c);
  return [
    ['spa port', `udp/${s.port} (${s.listen === 'pcap' ? 'captured; nothing listens' : 'bound socket'})`],
    ['keys', `Rijndael (${s.encryptionMode}), ${s.hmacKey ? `HMAC ${s.hmacDigest.replace('-', '_')}` : 'no HMAC'}`],
    ['open ports', s.openPorts.map((p) => `${p.proto}/${p.port}`).join(', ')],
    ['source', s.source.length > 0 ? s.source.map((c) => c.text).join(', ') : 'any source'],
    ['username', s.requireUsername ?? 'any'],
    ['source addr', s.requireSourceAddress ? 'the message\'s address must be the packet\'s source' : 'as in the message (0.0.0.0: the packet\'s source)'],
    ['timeout', `${s.accessTimeoutMs / 1000} s, or the client's up to ${s.maxTimeoutMs / 1000} s`],
    ['grants via', viaCommands ? 'start/stop commands' : 'the firewall backend'],
    ...(viaCommands ? [['start', cmd(d.startCommand)], ['stop', cmd(d.stopCommand)]] as [string, string][] : []),
  ];
}

/** What the checks across doors need of each door draft (door.ts's DoorDraft, without importing it). */
export interface SpaCheckDoor {
  readonly name: string;
  readonly spa: SpaDraft;
  /** Is an SPA door (key given, no sequence). */
  readonly isSpa: boolean;
  readonly commands: boolean;
  /** UDP ports of the door's steps (knock doors), with the line of its sequence. */
  readonly udpSteps: readonly number[];
  readonly sequenceAt?: Origin;
}

/**
 * Across doors and [options]: SPA doors sharing a port agree on how it is
 * received; a knock door's UDP step is never an SPA port (its packets would go
 * to the SPA checks); `firewall = command` needs commands on an SPA door.
 */
export function checkSpaDoors(doors: readonly SpaCheckDoor[], firewall: string | undefined, problems: Problems): void {
  const byPort = new Map<number, SpaCheckDoor>();
  for (const d of doors) {
    if (!d.isSpa) continue;
    const at = d.spa.portAt ?? d.spa.keyAt!;
    const first = byPort.get(d.spa.port);
    if (first && first.spa.listen !== d.spa.listen) {
      problems.atKey('CONFIG_CONFLICT', at,
        `[${d.name}] receives SPA port ${d.spa.port} by ${d.spa.listen}, but [${first.name}] receives it by ${first.spa.listen}; expected one spa_listen for every SPA door on a port`);
    }
    if (!first) byPort.set(d.spa.port, d);
    if (firewall === 'command' && !d.commands) {
      problems.atKey('CONFIG_CONFLICT', d.spa.keyAt!,
        `firewall = command runs only start/stop commands; expected Start_Command/Stop_Command on SPA door [${d.name}], or a firewall backend (nftables, iptables, ipset, firewalld) for its open_ports`);
    }
  }
  for (const d of doors) {
    if (d.isSpa || !d.sequenceAt) continue;
    for (const port of new Set(d.udpSteps)) {
      const spa = byPort.get(port);
      if (spa) {
        problems.atKey('CONFIG_CONFLICT', d.sequenceAt,
          `${port}/udp is the SPA port of [${spa.name}], so its packets go to the SPA checks; expected knock ports other than SPA ports`);
      }
    }
  }
}
