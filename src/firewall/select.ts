// Chooses and builds the firewall backend from the configuration. When
// `firewall =` is unset: nftables if `nft` works here, else iptables — and the
// choice is logged. Each backend module is loaded only when chosen.
import { DEFAULTS, type BackendChoice, type Options } from '../config/model.js';
import { FirewallError, type FirewallBackend } from './backend.js';
import { describeFailure, type ToolRunner } from './tool.js';

export interface SelectDeps {
  readonly runner: ToolRunner;
  /** Told once which backend was chosen and why. */
  readonly note: (message: string) => void;
  readonly onChannelExit?: (reason: string) => void;
}

type NativeBackend = Exclude<BackendChoice, 'command'>;

/** Probes the host for a working backend: nftables, else iptables. */
export async function detectBackend(runner: ToolRunner): Promise<{ choice: NativeBackend; why: string }> {
  const nft = await runner.run('nft', ['list', 'tables']);
  if (nft.code === 0) return { choice: 'nftables', why: 'nft works on this host' };
  const ipt = await runner.run('iptables', ['-w', '-S', 'INPUT']);
  if (ipt.code === 0) return { choice: 'iptables', why: `nft does not work here (${describeFailure('nft', nft)})` };
  throw new FirewallError('FIREWALL_UNAVAILABLE', 'no firewall backend works on this host',
    `${describeFailure('nft', nft)}; ${describeFailure('iptables', ipt)}`);
}

export async function createBackend(options: Pick<Options, 'firewall' | 'nftTable' | 'nftPriority' | 'firewalldZone' | 'spaRateLimit'>, deps: SelectDeps): Promise<FirewallBackend> {
  let choice = options.firewall;
  if (choice === 'command') throw new FirewallError('FIREWALL_UNAVAILABLE', 'firewall = command has no native backend');
  if (choice === undefined) {
    const detected = await detectBackend(deps.runner);
    choice = detected.choice;
    deps.note(`firewall backend: ${choice} (${detected.why}; set firewall = in [options] to choose)`);
  } else {
    deps.note(`firewall backend: ${choice}`);
  }
  const runner = deps.runner;
  switch (choice) {
    case 'nftables': {
      const { NftablesBackend } = await import('./nftables.js');
      const t = options.nftTable;
      return new NftablesBackend({
        runner, target: { family: t.family, table: t.name, integrated: t.integrated }, priority: options.nftPriority,
        // The kernel's per-source limit on SPA ports: on by default with nftables (src/firewall/nft-bans.ts).
        spaRateLimit: options.spaRateLimit ?? DEFAULTS.spaRateLimit,
        ...(deps.onChannelExit && { onChannelExit: deps.onChannelExit }),
      });
    }
    case 'iptables': {
      const { IptablesBackend } = await import('./iptables.js');
      return new IptablesBackend({ runner });
    }
    case 'ipset': {
      const { IpsetBackend } = await import('./ipset.js');
      return new IpsetBackend({ runner });
    }
    case 'firewalld': {
      const { FirewalldBackend } = await import('./firewalld.js');
      // firewalld_zone unset: no --zone at all, so firewalld uses its default zone.
      const zone = options.firewalldZone;
      return new FirewalldBackend({ runner, zone });
    }
  }
}
