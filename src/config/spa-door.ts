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
//       enable_cmd_exec        = no             # yes: run command messages (fwknop -C), no shell
//       cmd_exec_user          = spacmd         # required with yes (root only when written)
//       cmd_exec_group         = spacmd         # default: the user's primary group
//       cmd_allow              = /usr/bin/id -u # exact commands allowed, one a line; none: any
//       cmd_exec_timeout       = 30             # killed after this many seconds
//       cmd_exec_max_running   = 4              # at once for the door; more are refused
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
import { parseOpenList } from './firewall-values.js';
import { parseSeconds, parseYesNo } from './values.js';
import { CommandDraft, describeCommandExec } from './spa-command.js';
import { parseBase64Key, parseEncryptionMode, parseHmacDigest, parsePassphrase, parseSource, parseSpaListen, parseSpaPort, parseUsername } from './spa-values.js';

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
  cmd_exec_user: 'cmd_exec_user',
  cmd_exec_group: 'cmd_exec_group',
  cmd_allow: 'cmd_allow',
  cmd_exec_timeout: 'cmd_exec_timeout',
  cmd_exec_max_running: 'cmd_exec_max_running',
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
  /** enable_cmd_exec and the cmd_* keys (spa-command.ts). */
  readonly commands = new CommandDraft();
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
      case 'enable_cmd_exec':
      case 'cmd_exec_user':
      case 'cmd_exec_group':
      case 'cmd_allow':
      case 'cmd_exec_timeout':
      case 'cmd_exec_max_running': if (!this.commands.apply(key, value, at, problems)) this.broken = true; return;
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
    if (!this.openPortsAt && !door.forwardAt && !this.commands.enabled) {
      problems.atKey('CONFIG_BAD_VALUE', at, `[${door.name}] is an SPA door without open_ports; expected open_ports = PROTO/PORT, … (what a client may ask for, e.g. open_ports = tcp/22), or enable_cmd_exec = yes for a door that only runs command messages`);
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
    this.commands.check(door.name, problems);
  }

  /** The finished SPA settings, or undefined if a line of them did not parse. */
  build(): SpaDoor | undefined {
    if (this.broken || !this.key) return undefined;
    const commandExec = this.commands.build();
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
      ...(commandExec && { commandExec }),
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
    ['open ports', s.openPorts.map((p) => `${p.proto}/${p.port}`).join(', ') || 'none'],
    ['source', s.source.length > 0 ? s.source.map((c) => c.text).join(', ') : 'any source'],
    ['username', s.requireUsername ?? 'any'],
    ['source addr', s.requireSourceAddress ? 'the message\'s address must be the packet\'s source' : 'as in the message (0.0.0.0: the packet\'s source)'],
    ['timeout', `${s.accessTimeoutMs / 1000} s, or the client's up to ${s.maxTimeoutMs / 1000} s`],
    ['grants via', viaCommands ? 'start/stop commands' : 'the firewall backend'],
    ...(viaCommands ? [['start', cmd(d.startCommand)], ['stop', cmd(d.stopCommand)]] as [string, string][] : []),
    ['command msgs', describeCommandExec(s)],
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
