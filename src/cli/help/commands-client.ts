// Reference entries of the clients: knock, spa, spa decode, keygen. Their
// parsers live in src/client/argv.ts and src/spa-client/ (reference.test.ts
// checks that every option those accept is here). How to add: see reference.ts.
// No imports but types: args.ts renders usage from here, and the parsers import args.ts.
import type { CommandHelp, OptionHelp } from './model.js';

/** spa-client/keygen.ts DEFAULT_HMAC_KEY_LEN, as digest names (reference.test.ts compares). */
export const KEYGEN_HMAC_KEY_SIZES = 'md5 16, sha1 20, sha256 64, sha384 128, sha512 128, sha3_256 128, sha3_512 72';

const VERSION: OptionHelp = { long: 'version', short: 'V', help: 'print the version' };

export const KNOCK: CommandHelp = {
  name: 'knock',
  summary: 'send a knock sequence (knock-compatible)',
  synopsis: [
    'knock [-u] [-d MS] [-4|-6] [-v] [--verify PORT [--verify-timeout MS]] HOST STEP...',
    'knock --door NAME (--secret BASE64 | --secret-file FILE) [--length N] [--window SECONDS] [--ports FROM-TO] [-u] [--next] [--print] [-d MS] [-4|-6] [-v] [--verify PORT] HOST',
  ],
  description: [
    'Sends one knock per STEP, in order, to HOST (resolved once). A drop-in for knockd\'s `knock` client: the same flags and step syntax, plus ICMP and payload steps, `--verify`, and an exit status that means something. Long options may be shortened while unambiguous, and options may follow the steps.',
    'With `--secret` (or `--secret-file`) and `--door`, knocks the current sequence of a `sequence_secret` door instead: the ports are derived from the secret, the door name and the current time window, as the server derives them. `--length`, `--window`, `--ports` and `-u` must match the door\'s `sequence_length`, `sequence_window`, `sequence_ports` and `sequence_protocol` when it changes them. Each sequence opens the door once: to knock again, use `--next` or wait for the next window.',
  ],
  operands: [
    { name: 'HOST', help: 'the server: a name, an IPv4 or an IPv6 address' },
    { name: 'PORT[:tcp|:udp]', help: 'a TCP (default) or UDP port; a service name works too (`ssh`, `http:udp`)' },
    { name: 'PORT:udp:payload=TEXT', help: 'a UDP datagram carrying TEXT (UTF-8, or `0x...` for hex)' },
    { name: 'icmp[:payload=TEXT]', help: 'an ICMP echo request (sent with the system `ping`; payload at most 16 bytes)' },
  ],
  options: [
    { long: 'udp', short: 'u', help: 'make every port step UDP (default is TCP)' },
    { long: 'delay', short: 'd', arg: 'MS', help: 'wait MS milliseconds after each hit' },
    { long: 'ipv4', short: '4', help: 'use IPv4 only' },
    { long: 'ipv6', short: '6', help: 'use IPv6 only' },
    { long: 'verbose', short: 'v', help: 'print each hit' },
    { long: 'verify', arg: 'PORT', help: 'afterwards, check that TCP PORT accepts a connection; if not, knock once more and check again' },
    { long: 'verify-timeout', arg: 'MS', help: 'how long each check may take (default 3000)' },
    { long: 'door', arg: 'NAME', help: 'a `sequence_secret` door: knock its current sequence (no STEP)' },
    { long: 'secret', arg: 'BASE64', help: 'the door\'s `sequence_secret` (visible to other users in `ps`: prefer `--secret-file`)' },
    { long: 'secret-file', arg: 'FILE', help: 'read the secret (base64) from FILE' },
    { long: 'length', arg: 'N', help: 'the door\'s `sequence_length` (default 3)' },
    { long: 'window', arg: 'SECONDS', help: 'the door\'s `sequence_window` (default 30)' },
    { long: 'ports', arg: 'FROM-TO', help: 'the door\'s `sequence_ports` (default 1024-32767)' },
    { long: 'print', help: 'print the current sequence (`p1,p2,p3`) instead of sending it' },
    { long: 'next', help: 'the next window\'s sequence instead (the door accepts it too): to knock again at once when the current one was used' },
    VERSION,
  ],
  exitStatus: '0 sent (and PORT open, with `--verify`); 1 usage error, unresolvable host or send failure; 3 PORT still closed after `--verify`.',
  examples: [
    { command: 'portcullis knock -v server.example.com 7000 8000:udp 9000 --verify 22', help: 'knock, then check that SSH accepts connections' },
    { command: 'portcullis knock --door ssh --secret-file ~/.config/portcullis/ssh.key server.example.com --verify 22', help: 'knock the current derived sequence of door [ssh]' },
  ],
};

/** Options `spa` and `spa decode` share (src/spa-client/argv.ts KEY_OPTIONS). */
const KEY_OPTIONS: readonly OptionHelp[] = [
  { long: 'key-base64-rijndael', arg: 'KEY', help: 'the encryption key (base64)' },
  { long: 'key-rijndael', arg: 'PASSPHRASE', help: 'or the encryption key as a passphrase' },
  { long: 'key-base64-hmac', arg: 'KEY', help: 'the HMAC key (base64)' },
  { long: 'key-hmac', arg: 'PASSPHRASE', help: 'or the HMAC key as a passphrase (HMAC is on whenever an HMAC key is given)' },
  { long: 'hmac-digest-type', arg: 'T', help: '`md5` `sha1` `sha256` (default) `sha384` `sha512` `sha3_256` `sha3_512`' },
  { long: 'encryption-mode', short: 'M', arg: 'MODE', help: '`cbc` (default) or `legacy`: pre-2.5 fwknop peers (no HMAC)' },
  { long: 'named-config', short: 'n', arg: 'NAME', help: 'read stanza [NAME] of `~/.fwknoprc`' },
  { long: 'rc-file', arg: 'PATH', help: 'another rc file' },
  { long: 'no-rc-file', help: 'read no rc file at all' },
];

export const SPA: CommandHelp = {
  name: 'spa',
  summary: 'send an fwknop SPA packet (fwknop-compatible)',
  synopsis: ['spa -A PROTO/PORT[,...] (-a ADDRESS | -s) -D HOST [options]', 'spa -C COMMAND (-a ADDRESS | -s) -D HOST [options]'],
  description: [
    'Sends one fwknop Single Packet Authorization packet (FKO protocol 3.0.0, as fwknop 2.6.10: AES-256-CBC and HMAC) that an fwknopd or Portcullis server opens for. The options are fwknop\'s; command-line options override the `-n` stanza, which overrides `[default]` in `~/.fwknoprc`.',
  ],
  options: [
    { long: 'access', short: 'A', arg: 'PROTO/PORT[,...]', help: 'what to open, e.g. `tcp/22` or `tcp/22,udp/1194`' },
    { long: 'allow-ip', short: 'a', arg: 'ADDRESS', help: 'the address to let in (put in the packet)' },
    { long: 'source-ip', short: 's', help: 'allow IP 0.0.0.0: the server uses the packet\'s source' },
    { long: 'destination', short: 'D', arg: 'HOST', help: 'the SPA server: IPv4, IPv6 literal or name' },
    { long: 'server-port', short: 'p', arg: 'N', help: 'default 62201' },
    { long: 'server-proto', short: 'P', arg: 'PROTO', help: '`udp` (default), `tcp`, or `http` (fwknop\'s GET request)' },
    { long: 'fw-timeout', short: 'f', arg: 'SECONDS', help: 'ask for this long (client timeout: message types 3/4/6)' },
    { long: 'nat-access', short: 'N', arg: 'HOST[:PORT]', help: 'NAT access to an inside host (message types 2/4)' },
    { long: 'nat-local', help: 'a local service via a forwarded port (types 5/6)' },
    { long: 'server-cmd', short: 'C', arg: 'CMD', help: 'a command message (type 0) instead of an access request: the server runs CMD (fwknopd with `ENABLE_CMD_EXEC`, Portcullis with `enable_cmd_exec = yes`); `-A`, `-N`, `-f` do not apply' },
    { long: 'digest-type', short: 'm', arg: 'T', help: 'the message digest: `md5` `sha1` `sha256` (default) `sha384` `sha512` `sha3_256` `sha3_512`' },
    ...KEY_OPTIONS,
    { long: 'use-hmac', help: 'accepted; an HMAC key is then required' },
    { long: 'spoof-user', short: 'U', arg: 'USER', help: 'the username field (default: `$SPOOF_USER`, `$LOGNAME`, you, `$USER`)' },
    { long: 'server-resolve-ipv4', help: 'resolve `-D` to IPv4 only' },
    { long: 'verbose', short: 'v', help: 'print the packet\'s fields as `fwknop -v` does' },
    { long: 'test', short: 'T', help: 'build and print the packet, send nothing' },
    VERSION,
    { long: 'resolve-ip-https', short: 'R', refused: true, help: 'fetching the external address from a web service: give `-a ADDRESS` or use `-s`' },
    { long: 'gpg-encryption', short: 'g', refused: true, help: 'GPG: use Rijndael keys (`portcullis keygen`)' },
    { long: 'rand-port', short: 'r', refused: true, help: 'a random destination port: use `-p PORT`' },
    { long: 'key-gen', short: 'k', refused: true, help: 'key generation is `portcullis keygen`' },
  ],
  notes: ['Not supported either: raw-socket protocols (`udpraw`, `tcpraw`, `icmp`), `--time-offset-*`.'],
  exitStatus: '0 sent (or printed, with `-T`); 1 bad usage, keys, rc file, resolution or send failure.',
  examples: [
    { command: 'portcullis spa -A tcp/22 -a 203.0.113.7 -D server.example -n office', help: 'open SSH for 203.0.113.7 with the keys of stanza [office]' },
    { command: 'portcullis spa -C /usr/local/sbin/vpn-restart -a 203.0.113.7 -D server.example -n office', help: 'ask the server to run a command (a door with `enable_cmd_exec = yes`, or fwknopd with `ENABLE_CMD_EXEC`)' },
  ],
};

export const SPA_DECODE: CommandHelp = {
  name: 'spa decode',
  summary: 'decode one SPA packet and print its fields as fwknop -v',
  synopsis: ['spa decode [key options] [-n NAME] PACKET|-'],
  description: ['Decodes one SPA packet (as sent on the wire, base64) and prints its fields as `fwknop -v` does, without the age check; or the error code and message.'],
  operands: [{ name: 'PACKET', help: 'the packet text; `-` reads it from standard input' }],
  options: KEY_OPTIONS,
  exitStatus: '0 decoded; 1 bad usage or keys, or a packet that does not decode.',
};

export const KEYGEN: CommandHelp = {
  name: 'keygen',
  summary: 'make SPA keys as fwknop --key-gen does (--qr for Fwknop2)',
  synopsis: ['keygen [--hmac-digest-type T] [--key-len N] [--hmac-key-len N] [--qr]'],
  description: [
    'Prints a new Rijndael key and HMAC key exactly as `fwknop --key-gen` does, as `KEY_BASE64:` and `HMAC_KEY_BASE64:` lines. Put both in the server\'s door (`key_base64`, `hmac_key_base64`) or access.conf stanza and in the client\'s `~/.fwknoprc` (or pass them as `--key-base64-rijndael` / `--key-base64-hmac`).',
  ],
  options: [
    { long: 'hmac-digest-type', arg: 'T', help: `\`md5\` \`sha1\` \`sha256\` (default) \`sha384\` \`sha512\` \`sha3_256\` \`sha3_512\`; sizes the HMAC key (${KEYGEN_HMAC_KEY_SIZES} bytes)` },
    { long: 'key-len', arg: 'N', help: 'encryption key bytes, 1-32 (default 32)' },
    { long: 'hmac-key-len', arg: 'N', help: 'HMAC key bytes, 1-128' },
    { long: 'qr', help: 'also print `KEY_BASE64:... HMAC_KEY_BASE64:...` as a QR code (for Fwknop2 on Android), drawn for a dark terminal' },
  ],
  exitStatus: '0 printed; 1 bad usage.',
};
