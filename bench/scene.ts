// The bench's lab: server and client namespaces (test/e2e/lab.ts), the bench
// firewall in the server, and the instruments that stay up for the whole run
// (nft monitor, tcpdump, the client's address pools).
import { createLab, writeConfig, type Lab, type LabProcess } from '../test/e2e/lab.js';
import { BurstPool } from './burst.js';
import type { DaemonKind } from './daemons.js';
import { ElementWatch } from './element-watch.js';
import { KnockCapture } from './knock-capture.js';
import { Knocker } from './knocker.js';
import type { KnockTools } from './knock-result.js';
import { GRANTS_SET, SEQUENCE, SET, TABLE, benchConfig, benchRuleset, nftBenchConfig } from './ruleset.js';
import { WallClock } from './wall-clock.js';

export interface Scene {
  readonly lab: Lab;
  readonly tools: KnockTools;
  /** The config file `kind` reads (knockd and Portcullis (command) share one). */
  configFor(kind: DaemonKind): string;
  /** An address only the bench itself puts into the set (never a knock source). */
  readonly probeIp: string;
  /** A process that just sits in the server namespace: its /proc/PID/net/dev shows the server's interfaces. */
  readonly anchor: LabProcess;
  /** The burst's source addresses; undefined when the run has no burst. */
  readonly burst: BurstPool | undefined;
  /**
   * Between scenarios (no daemon running): empties the bench set and removes
   * the nftables backend's table, which the next such daemon creates again.
   * Its `ct state` rule turns connection tracking on in the server namespace;
   * left in place, every later packet (the flood's above all) would pay for it.
   */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function buildScene(burstSources: number): Promise<Scene> {
  const lab = await createLab('bench');
  try {
    const clock = new WallClock();
    await lab.nftSetup('server', benchRuleset());
    const anchor = lab.spawn('server', ['sleep', 'infinity'], 'anchor');
    const probe = lab.server.ip4.replace(/\d+$/, '254');
    const watch = await ElementWatch.start(lab, clock, probe);
    const capture = await KnockCapture.start(lab, clock, SEQUENCE[SEQUENCE.length - 1] as number);
    const knocker = await Knocker.create(lab, clock);
    const burst = burstSources > 0 ? await BurstPool.create(lab, burstSources) : undefined;
    const commandConfig = writeConfig(lab, benchConfig(), 'bench');
    const nftConfig = writeConfig(lab, nftBenchConfig(), 'bench-nft');
    return {
      lab,
      tools: { knocker, watch, capture, clock },
      configFor: (kind) => (kind === 'portcullis-nft' ? nftConfig : commandConfig),
      probeIp: probe,
      anchor,
      burst,
      reset: async () => {
        await lab.mustExec('server', ['nft', 'flush', 'set', ...TABLE.split(' '), SET]);
        const table = GRANTS_SET.table.split(' ');
        const has = await lab.exec('server', ['nft', 'list', 'table', ...table]);
        if (has.code === 0) await lab.mustExec('server', ['nft', 'delete', 'table', ...table]);
      },
      close: async () => {
        watch.stop();
        await capture.stop().catch(() => '');
        await lab.destroy();
      },
    };
  } catch (err) {
    await lab.destroy();
    throw err;
  }
}
