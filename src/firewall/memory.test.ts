import { backendContract } from './contract.js';
import { MemoryBackend, MemoryFirewall } from './memory.js';

function subject(kernelExpiry: boolean) {
  return async () => {
    const firewall = new MemoryFirewall();
    let now = 1_700_000_000_000;
    return {
      backend: new MemoryBackend(firewall, kernelExpiry),
      restart: async () => new MemoryBackend(firewall, kernelExpiry),
      setFailing: (f: boolean) => { firewall.failing = f; },
      clients: { a4: '192.0.2.7', b4: '192.0.2.8', a6: '2001:db8::7' },
      now: () => now,
      sleep: async (ms: number) => { now += ms; },
      cleanup: async () => undefined,
    };
  };
}

backendContract('memory double (kernel expiry)', subject(true));
backendContract('memory double (daemon expiry)', subject(false));
