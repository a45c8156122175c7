// A ContractSubject on a real firewall: a lab with clients `a` and `b`, a TCP
// service on the server's port 22, and the backend's tools run inside the
// server namespace. `reach` sends real packets (TCP only; UDP entries are
// checked through list()).
import type { ContractSubject } from '../../../src/firewall/contract.js';
import type { FirewallBackend } from '../../../src/firewall/backend.js';
import { ExecToolRunner, FailableToolRunner, type ToolRunner } from '../../../src/firewall/tool.js';
import { createLab, sleep, type Lab } from '../lab.js';

/** Builds a backend from a runner that runs inside the lab's server namespace. */
export type BackendFactory = (runner: ToolRunner, lab: Lab) => FirewallBackend;

export async function labFirewallSubject(testId: string, build: BackendFactory): Promise<ContractSubject & { lab: Lab; runner: FailableToolRunner }> {
  const lab = await createLab(testId, { clients: ['a', 'b'] });
  try {
    await lab.startTcpService('server', 22);
    const runner = new FailableToolRunner(new ExecToolRunner({ prefix: ['ip', 'netns', 'exec', lab.ns('server')] }));
    const backend = build(runner, lab);
    const roleOf = new Map([[lab.host('a').ip4, 'a'], [lab.host('a').ip6, 'a'], [lab.host('b').ip4, 'b'], [lab.host('b').ip6, 'b']]);
    const reachable = new Set(['tcp']);
    const backends = [backend];
    return {
      lab,
      runner,
      backend,
      restart: async () => { const b = build(runner, lab); backends.push(b); return b; },
      setFailing: (f) => { runner.failing = f; },
      clients: { a4: lab.host('a').ip4, b4: lab.host('b').ip4, a6: lab.host('a').ip6 },
      now: () => Date.now(),
      sleep,
      reach: async (address, service) => {
        if (!reachable.has(service.proto)) return false;
        const role = roleOf.get(address);
        if (!role) throw new Error(`no lab client has ${address}`);
        const to = address.includes(':') ? lab.server.ip6 : lab.server.ip4;
        return lab.tcpConnects(role, to, service.port, 700);
      },
      cleanup: async () => {
        for (const b of backends) await b.dispose().catch(() => undefined);
        await lab.destroy();
      },
    };
  } catch (err) {
    await lab.destroy();
    throw err;
  }
}
