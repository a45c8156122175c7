// Checks across doors and [options] for the firewall keys, run once the whole
// file is read: `revokes` must name other doors, `open`/`forward` need a
// firewall backend, and gateway forwarding exists only in nftables and iptables.
import type { DoorDraft } from './door.js';
import type { OptionsDraft } from './options.js';
import type { Problems } from './problems.js';

const FORWARDING_BACKENDS = new Set(['nftables', 'iptables']);

export function checkFirewallKeys(doors: readonly DoorDraft[], options: OptionsDraft, problems: Problems): void {
  const names = new Set(doors.map((d) => d.name));
  const backend = options.firewall;
  for (const door of doors) {
    if (door.revokesAt) {
      for (const name of door.revokes) {
        if (name === door.name) {
          problems.atKey('CONFIG_CONFLICT', door.revokesAt, `[${door.name}] cannot revoke itself; expected the name of the door whose grant this door closes`);
        } else if (!names.has(name)) {
          problems.atKey('CONFIG_BAD_VALUE', door.revokesAt, `no door named "${name}"; expected one of ${[...names].filter((n) => n !== door.name).join(', ') || '(no other doors)'}`);
        }
      }
    }
    if (backend === 'command') {
      for (const at of [door.openAt, door.forwardAt]) {
        if (at) problems.atKey('CONFIG_CONFLICT', at, `firewall = command runs only start/stop commands; expected a firewall backend (nftables, iptables, ipset, firewalld) for ${at.key}, or Start_Command/Stop_Command`);
      }
    }
    if (door.forwardAt && backend !== undefined && backend !== 'command' && !FORWARDING_BACKENDS.has(backend)) {
      problems.atKey('CONFIG_CONFLICT', door.forwardAt, `the ${backend} backend cannot forward to inside hosts; expected firewall = nftables or iptables for gateway access`);
    }
  }
}
