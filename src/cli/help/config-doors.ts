// Reference of the door sections: knock doors (src/config/door.ts DOOR_KEYS)
// and SPA doors (src/config/spa-door.ts SPA_DOOR_KEYS). How to add a key: see reference.ts.
import type { ConfigSection } from './model.js';

export const KNOCK_DOOR_SECTION: ConfigSection = {
  id: 'knock-door',
  title: 'Doors',
  intro: [
    'Every other section is a door, named by its section name: `[openSSH]`. A knock door has a `Sequence` (or `One_Time_Sequences`) and opens with a firewall grant (`Open`, `Forward`), knockd\'s commands, or both.',
    'Matching: one attempt per (source address, door); the next step advances it; any other packet from that source on one of the door\'s ports, or on a decoy port, fails it.',
  ],
  keys: [
    { key: 'Sequence', value: 'STEP[, STEP...]', default: 'none (a knock door needs this or `One_Time_Sequences`)', origin: 'knockd', help: 'knock steps, up to 32: `PORT[:tcp|udp]` (tcp by default), `icmp` (an ICMP echo request), and for UDP and ICMP steps an optional payload the datagram or ping must contain: `5000:udp:payload=open-sesame`, `icmp:payload=0x6b6e6f636b` (`0x` = hex, else text, at most 1024 bytes). Repeated ports and single-step doors work' },
    { key: 'One_Time_Sequences', value: 'FILE', default: 'none', origin: 'knockd', help: 'instead of `Sequence`: one sequence per line; each is used once, then commented out (atomic rewrite)' },
    { key: 'Seq_Timeout', aliases: ['Timeout'], value: 'SECONDS', default: '25', origin: 'knockd', help: 'seconds from the first knock to the last' },
    { key: 'Start_Command', aliases: ['Command'], value: 'COMMAND', default: 'none', origin: 'knockd', help: 'run via `/bin/sh -c` on success; `%IP%` is the knocker\'s address. It runs with the daemon\'s user and capabilities' },
    { key: 'Start_Command_6', aliases: ['Command_6'], value: 'COMMAND', default: '`Start_Command`', origin: 'knockd', help: 'for IPv6 knockers; an explicitly empty value means do nothing for IPv6' },
    { key: 'Stop_Command', value: 'COMMAND', default: 'none', origin: 'knockd', help: 'run `Cmd_Timeout` seconds after the start command returns' },
    { key: 'Stop_Command_6', value: 'COMMAND', default: '`Stop_Command`', origin: 'knockd', help: 'for IPv6 knockers' },
    { key: 'Cmd_Timeout', value: 'SECONDS', default: '10', origin: 'knockd', help: 'seconds between start and stop command' },
    { key: 'TCPFlags', value: 'FLAG[, FLAG...]', default: 'any', origin: 'knockd', help: '`syn` `ack` `fin` `rst` `psh` `urg`, each optionally `!` (must be clear); TCP packets with other flags are ignored by this door. Several lines add up' },
    { key: 'Target', value: 'ADDRESS', default: 'the host\'s addresses', origin: 'knockd', help: 'the destination knocks must be sent to (e.g. on a router)' },
    { key: 'Allow', value: 'CIDR[, CIDR...]', default: 'any source', origin: 'portcullis', help: 'only these sources may knock on this door, e.g. `203.0.113.0/24, 2001:db8::/32`; several lines add up' },
    { key: 'Allow_Duplicates', value: 'yes | no', default: '`no`', origin: 'portcullis', help: 'a repeat of the knock just matched (a retransmitted SYN) is ignored instead of failing the attempt' },
    { key: 'Cooldown', value: 'SECONDS', default: '0', origin: 'portcullis', help: 'after the door opens for a source, that source\'s knocks on this door are ignored this long' },
    { key: 'Knock_Min_Gap', value: 'SECONDS', default: 'none', origin: 'portcullis', help: 'shortest time between two consecutive knocks: a next step sooner than this fails the attempt (counted as a failure; if the packet is the door\'s first step a new attempt starts). With `Allow_Duplicates`, an early repeat of the step just matched is ignored instead. `0` = none' },
    { key: 'Knock_Max_Gap', value: 'SECONDS', default: 'none', origin: 'portcullis', help: 'longest time between two consecutive knocks; later, the attempt times out (`Seq_Timeout` still bounds the whole sequence). Must be above `Knock_Min_Gap`; neither is allowed on a one-step door' },
    { key: 'Open', value: 'PROTO/PORT[, ...]', default: 'none', origin: 'portcullis', help: 'ports a firewall grant opens for the knocker, instead of (or besides) commands: `tcp/22, udp/1194` (a bare `22` is TCP). These ports are also protected: dropped for every source without a grant' },
    { key: 'Open_Timeout', value: 'SECONDS', default: '30', origin: 'portcullis', help: 'how long the grant lasts; a repeat knock extends it (never a second copy). Established connections outlive it' },
    { key: 'Forward', value: 'PROTO/PORT -> ADDRESS:PORT[, ...]', default: 'none', origin: 'portcullis', help: 'gateway access: the knocker\'s packets to this port of the server go to an inside host, e.g. `tcp/13389 -> 192.168.1.10:3389` (`[fd00::5]:3389` for IPv6); the inside service is unreachable through the server without a grant. nftables and iptables only' },
    { key: 'Revokes', value: 'DOOR[, ...]', default: 'none', origin: 'portcullis', help: 'this door closes those doors\' grants for the knocking source: the classic open-sequence / close-sequence pair' },
    { key: 'Sequence_Secret', value: 'BASE64', default: 'none', origin: 'portcullis', help: 'instead of `Sequence`: the knock ports are derived from this secret (16–128 bytes, standard base64, e.g. `openssl rand -base64 32`), the door name and the time window, a new sequence every `Sequence_Window`; the previous and next window\'s are accepted too, and each sequence opens the door once. `portcullis knock --door NAME --secret-file FILE HOST` knocks it. Not for `portcullis rules`' },
    { key: 'Sequence_Length', value: 'N', default: '3', origin: 'portcullis', help: 'with `Sequence_Secret`: ports per sequence, 2–16' },
    { key: 'Sequence_Window', value: 'SECONDS', default: '30', origin: 'portcullis', help: 'with `Sequence_Secret`: how long one sequence is current, 5–3600; clocks must agree within about a window (NTP)' },
    { key: 'Sequence_Ports', value: 'FROM-TO', default: '1024-32767', origin: 'portcullis', help: 'with `Sequence_Secret`: the range the distinct ports are drawn from; with `Sequence_Length` it must give at least 32 bits' },
    { key: 'Sequence_Protocol', value: 'tcp | udp', default: '`tcp`', origin: 'portcullis', help: 'with `Sequence_Secret`: TCP knocks are connection attempts (SYN without ACK), UDP knocks any datagram' },
  ],
  example: `[openSSH]
    sequence     = 7000,8000,9000
    tcpflags     = syn
    open         = tcp/22
    open_timeout = 30

[closeSSH]
    sequence = 9000,8000,7000
    tcpflags = syn
    revokes  = openSSH`,
};

export const SPA_DOOR_SECTION: ConfigSection = {
  id: 'spa-door',
  title: 'SPA doors',
  intro: [
    'A door with `Key_Base64` (or `Key`) and no `Sequence` is a Single Packet Authorization door, speaking fwknop\'s wire format, so the `fwknop` CLI, Fwknop2 and `portcullis spa` all open it. The keys are fwknopd\'s access.conf names in lower case.',
    'A packet is checked in fwknopd\'s order: size and characters, source networks, replay, HMAC (constant time, before decrypting), decryption, digest, age, address, username, ports. Used packets are remembered in `StateDir/spa-replay.json`, so a restart does not reopen a replay window.',
  ],
  keys: [
    { key: 'Key_Base64', value: 'BASE64', default: 'none (an SPA door needs this or `Key`)', origin: 'fwknop', help: 'the Rijndael key, 1-32 bytes (`portcullis keygen`, `fwknop --key-gen`)' },
    { key: 'Key', value: 'PASSPHRASE', default: 'none', origin: 'fwknop', help: 'instead of `Key_Base64`: the key as a passphrase' },
    { key: 'HMAC_Key_Base64', value: 'BASE64', default: 'none (no HMAC)', origin: 'fwknop', help: 'HMAC key, 1-128 bytes, different from the key; when set, HMAC is mandatory' },
    { key: 'HMAC_Key', value: 'PASSPHRASE', default: 'none', origin: 'fwknop', help: 'instead of `HMAC_Key_Base64`: the HMAC key as a passphrase' },
    { key: 'HMAC_Digest_Type', value: 'DIGEST', default: '`sha256`', origin: 'fwknop', help: '`md5` `sha1` `sha256` `sha384` `sha512` `sha3_256` `sha3_512`' },
    { key: 'Encryption_Mode', value: 'cbc | legacy', default: '`cbc`', origin: 'fwknop', help: '`legacy`: pre-2.5 clients, no HMAC' },
    { key: 'SPA_Port', value: 'PORT', default: '62201', origin: 'fwknop', help: 'the UDP port SPA packets are sent to' },
    { key: 'SPA_Listen', value: 'pcap | socket', default: '`pcap`', origin: 'portcullis', help: 'captured (nothing listens, the host stays silent), or bound with a socket on every address (no capture privileges); one mode per port' },
    { key: 'Open_Ports', value: 'PROTO/PORT[, ...]', default: 'none (required unless `Forward` or `Enable_Cmd_Exec`)', origin: 'fwknop', help: 'what a client may ask for; every requested port must be listed; protected like `Open`' },
    { key: 'Source', value: 'CIDR[, ...] | ANY', default: 'any', origin: 'fwknop', help: 'packet sources allowed; several lines add up' },
    { key: 'Require_Username', value: 'NAME', default: 'any', origin: 'fwknop', help: 'the message\'s username must match exactly' },
    { key: 'Require_Source_Address', aliases: ['Require_Source'], value: 'yes | no', default: '`yes`', origin: 'fwknop', help: 'the address in the message must be the packet\'s source (so `fwknop -s` is refused); `no`: 0.0.0.0 means the source, any other address is granted as written (fwknopd\'s behaviour)' },
    { key: 'FW_Access_Timeout', value: 'SECONDS', default: '30', origin: 'fwknop', help: 'grant length when the client asks for none' },
    { key: 'Max_FW_Timeout', value: 'SECONDS', default: '300', origin: 'fwknop', help: 'cap on the client\'s `-f`' },
    { key: 'Enable_Cmd_Exec', value: 'yes | no', default: '`no`', origin: 'fwknop', help: '`yes`: command messages (`fwknop -C`) that pass every check are run, split into words and executed without a shell (README "SPA command messages"); `no`: refused (`command`)' },
    { key: 'Cmd_Exec_User', value: 'USER', default: 'none (required with `Enable_Cmd_Exec = yes`)', origin: 'fwknop', help: 'the account commands run as, resolved at start; `root` only when written so' },
    { key: 'Cmd_Exec_Group', value: 'GROUP', default: 'the user\'s primary group', origin: 'fwknop', help: 'the group commands run as; supplementary groups are dropped' },
    { key: 'Cmd_Allow', value: 'COMMAND', default: 'none (any command, with a warning at start)', origin: 'portcullis', help: 'one exact command a line (compared word by word); a command that is none of them is refused (`command-not-allowed`)' },
    { key: 'Cmd_Exec_Timeout', value: 'SECONDS', default: '30', origin: 'portcullis', help: 'a command still running is killed with its process group' },
    { key: 'Cmd_Exec_Max_Running', value: 'N', default: '4', origin: 'portcullis', help: 'commands of the door running at once, 1-64; more are refused (`command-busy`)' },
    { key: 'Forward', value: 'PROTO/PORT -> ADDRESS:PORT[, ...]', default: 'none', origin: 'portcullis', help: 'on an SPA door: the NAT requests (`fwknop -N HOST:PORT -A PROTO/PORT`) granted, each exactly as listed; nftables and iptables only' },
    { key: 'Start_Command', value: 'COMMAND', default: 'none', origin: 'knockd', help: 'on an SPA door (also `Start_Command_6`, `Stop_Command`, `Stop_Command_6`): instead of the backend; `%IP%`, `%PORT%` and `%PROTO%` (first requested port), `%TIMEOUT%` (seconds); the stop runs after the granted time' },
  ],
  example: `[ssh-spa]
    key_base64      = cGZ5AGTiKi4xoF6J5eSWYeSeYRqpYHJOh62WjLYOZwE=
    hmac_key_base64 = lQMnQxJ8ZezcgugRZbzBtSzOdiwbZv+6/O4zkzm4ZphzVucSgb9f5psg/c3J5UVUNnPzWuijtVYIO4sjZkNzvg==
    open_ports      = tcp/22`,
};
