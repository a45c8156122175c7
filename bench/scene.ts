// The bench's lab: server and client namespaces (test/e2e/lab.ts), the bench
// firewall in the server, and the instruments that stay up for the whole run
// (nft monitor, tcpdump, the client's address pool).
import { createLab, writeConfig, type Lab, type LabProcess } from '../test/e2e/lab.js';
import { ElementWatch } from './element-watch.js';
import { KnockCapture } from './knock-capture.js';
import { Knocker } from './knocker.js';
import type { KnockTools } from './knock-result.js';
import { SEQUENCE, SET, TABLE, benchConfig, benchRuleset } from './ruleset.js';
import { WallClock } from './wall-clock.js';

export interface Scene {
  readonly lab: Lab;
  readonly tools: KnockTools;
  readonly configPath: string;
  /** An address only the bench itself puts into the set (never a knock source). */
  readonly probeIp: string;
  /** A process that just sits in the server namespace: its /proc/PID/net/dev shows the server's interfaces. */
  readonly anchor: LabProcess;
  /** Empties the set between scenarios. */
  flushSet(): Promise<void>;
  close(): Promise<void>;
}

export async function buildScene(): Promise<Scene> {
  const lab = await createLab('bench');
  try {
    const clock = new WallClock();
    await lab.nftSetup('server', benchRuleset());
    const anchor = lab.spawn('server', ['sleep', 'infinity'], 'anchor');
    const probe = lab.server.ip4.replace(/\d+$/, '254');
    const watch = await ElementWatch.start(lab, clock, probe);
    const capture = await KnockCapture.start(lab, clock, SEQUENCE[SEQUENCE.length - 1] as number);
    const knocker = await Knocker.create(lab, clock);
    const configPath = writeConfig(lab, benchConfig(), 'bench');
    return {
      lab,
      tools: { knocker, watch, capture, clock },
      configPath,
      probeIp: probe,
      anchor,
      flushSet: async () => void (await lab.mustExec('server', ['nft', 'flush', 'set', ...TABLE.split(' '), SET])),
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
