// Reference entries of the control-socket clients: status, revoke, reload.
// How to add to them: see reference.ts.
import { DEFAULT_CONFIG } from './commands-daemon.js';
import type { CommandHelp, OptionHelp } from './model.js';

/** The options every control command takes (src/cli/control-command.ts). */
export const CONTROL_OPTIONS: readonly OptionHelp[] = [
  { long: 'config', short: 'c', arg: 'FILE', help: `read \`ControlSocket\` from FILE (default \`${DEFAULT_CONFIG}\`); the rest of the file is not checked, so this works while it has errors` },
  { long: 'control-socket', arg: 'PATH', help: 'the daemon\'s socket (default: `ControlSocket`, else `$RUNTIME_DIRECTORY/control.sock`, else `/run/portcullis/control.sock`)' },
];

const SOCKET_NOTE = 'The socket is accessible to the daemon\'s user only (mode 0600): run these commands as root or as that user.';
const EXIT = '0 on success, 1 on any error (usage, no daemon, refused request).';

export const STATUS: CommandHelp = {
  name: 'status',
  summary: "show the running daemon's doors, open grants and counters",
  synopsis: ['status [--json] [-c FILE] [--control-socket PATH]'],
  description: [
    'Shows the running daemon\'s doors (what opens them: `sequence`, `secret` or `spa`; their kind and the ports they open), the grants open now with their time left, the bans (address, reason, failures, time left; whether they are in the kernel too), the attempts in flight and the counters (packets, knocks, opens, failures, evictions, bans).',
  ],
  options: [{ long: 'json', help: 'print the report as JSON (fields: see src/control/types.ts)' }, ...CONTROL_OPTIONS],
  notes: [SOCKET_NOTE],
  exitStatus: EXIT,
};

export const REVOKE: CommandHelp = {
  name: 'revoke',
  summary: 'close the grants of an address (or --all) now',
  synopsis: ['revoke ADDRESS | --all [-c FILE] [--control-socket PATH]'],
  description: [
    'Closes now every grant of ADDRESS, or with `--all` every grant: command doors run their stop commands now, firewall grants are removed. Prints how many grants were closed.',
  ],
  operands: [{ name: 'ADDRESS', help: 'an IPv4 or IPv6 address, e.g. `192.0.2.7` or `2001:db8::7`' }],
  options: [{ long: 'all', help: 'every grant of every address' }, ...CONTROL_OPTIONS],
  notes: [SOCKET_NOTE],
  exitStatus: EXIT,
};

export const UNBAN: CommandHelp = {
  name: 'unban',
  summary: 'lift the ban of an address (or --all) now',
  synopsis: ['unban ADDRESS | --all [-c FILE] [--control-socket PATH]'],
  description: [
    'Lifts now the ban of ADDRESS, or with `--all` every ban, and forgets their failures: the address may knock and send SPA packets again at once. With the nftables backend the kernel\'s ban element goes too; the command returns once it is gone. Prints how many bans were lifted; `portcullis status` lists the bans.',
  ],
  operands: [{ name: 'ADDRESS', help: 'an IPv4 or IPv6 address, e.g. `192.0.2.7` or `2001:db8::7`' }],
  options: [{ long: 'all', help: 'every ban' }, ...CONTROL_OPTIONS],
  notes: [SOCKET_NOTE, 'To keep an address from ever being banned, list it in `BanExempt`.'],
  exitStatus: EXIT,
};

export const RELOAD: CommandHelp = {
  name: 'reload',
  summary: 'make the running daemon re-read its config (as SIGHUP)',
  synopsis: ['reload [-c FILE] [--control-socket PATH]'],
  description: [
    'Asks the running daemon to re-read its config file, as SIGHUP does: the file is validated first, and if it has errors they are printed and the daemon keeps running with its previous configuration.',
  ],
  options: [...CONTROL_OPTIONS],
  notes: [SOCKET_NOTE],
  exitStatus: '0 when the daemon reloaded; 1 on any error, including a config with errors (the old one stays).',
};
