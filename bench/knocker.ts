// The legitimate client: Debian's `knock` in the client namespace, each knock
// from its own source address. The client holds a pool of extra addresses;
// before a knock, the route to the server is pointed at the next one
// (`knock` cannot bind a source itself). A fresh address per knock means
// every open and every late open is attributed to exactly one knock, and no
// daemon state from one knock (cool-downs, failed attempts) touches the next.
import type { Lab } from '../test/e2e/lab.js';
import { run, mustSucceed } from '../test/e2e/lab/run.js';
import type { WallClock } from './wall-clock.js';

/** Host numbers in the lab /24 used as knock sources (the lab uses .1 for the server, .2 up for clients). */
const FIRST_HOST = 20;
const LAST_HOST = 250;

export class Knocker {
  private next = 0;
  private readonly sources: string[];

  private constructor(private readonly lab: Lab, private readonly clock: WallClock) {
    const net = lab.server.ip4.replace(/\d+$/, '');
    this.sources = [];
    for (let h = FIRST_HOST; h <= LAST_HOST; h++) this.sources.push(`${net}${h}`);
  }

  /** Adds the source addresses to the client's interface. */
  static async create(lab: Lab, clock: WallClock): Promise<Knocker> {
    const k = new Knocker(lab, clock);
    const client = lab.host('client');
    const batch = k.sources.map((ip) => `addr add ${ip}/32 dev ${client.iface}\n`).join('');
    mustSucceed(await run(['ip', '-n', client.ns, '-batch', '-'], { input: batch }));
    return k;
  }

  /**
   * Makes sure `n` unused addresses are left, starting the pool over if not.
   * Call it before a scenario, with a fresh daemon: an address is reused
   * only by a daemon that has never seen it.
   */
  reserve(n: number): void {
    if (n > this.sources.length) throw new Error(`${n} knocks need more source addresses than the ${this.sources.length} the lab has`);
    if (this.next + n > this.sources.length) this.next = 0;
  }

  takeSource(): string {
    const ip = this.sources[this.next];
    if (ip === undefined) throw new Error(`out of knock source addresses (${this.sources.length})`);
    this.next++;
    return ip;
  }

  /**
   * Knocks the whole sequence from `src`. Resolves with the wall-clock times
   * just before the first packet could leave and just after `knock` exited.
   */
  async knock(src: string, ports: readonly number[]): Promise<{ startedAt: number; exitedAt: number }> {
    const client = this.lab.host('client');
    mustSucceed(await run(['ip', '-n', client.ns, 'route', 'replace', `${this.lab.server.ip4}/32`, 'dev', client.iface, 'src', src]));
    const startedAt = this.clock.now();
    await this.lab.mustExec('client', ['knock', this.lab.server.ip4, ...ports.map(String)], { timeoutMs: 10_000 });
    return { startedAt, exitedAt: this.clock.now() };
  }
}
