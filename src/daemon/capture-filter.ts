// Maps the config and the host's current state to the capture filter input.
import { buildCaptureFilter } from '../capture/filter.js';
import type { FilterBuilder } from './daemon.js';

export const filterForHost: FilterBuilder = (config, addresses, ports, ipv4Only) => {
  const decoys = config.options.decoys;
  return buildCaptureFilter({
    doors: config.doors,
    localAddresses: { v4: [...addresses.v4], v6: [...addresses.v6] },
    ipv4Only,
    decoys: decoys.mode === 'auto' ? 'all-unserved' : decoys.mode === 'off' ? 'none' : { tcp: [...decoys.tcp], udp: [...decoys.udp] },
    servedTcp: [...ports.tcp],
    servedUdp: [...ports.udp],
    ephemeralUdp: ports.ephemeral,
  });
};
