// The real DoctorEnv: this host's files, interfaces, capture and daemon.
import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../cli/config-file.js';
import { fetchStatus } from '../control/client.js';
import { ControlError } from '../control/errors.js';
import type { ToolRunner } from '../firewall/tool.js';
import { localAddresses } from '../net/local-addresses.js';
import { canCaptureHere, probeCapture } from './capture.js';
import { statFile } from './files.js';
import { listLinks, readDefaultRoute, readLink } from './interfaces.js';
import type { DaemonState, DoctorEnv } from './run.js';

export function systemEnv(runner: ToolRunner): DoctorEnv {
  return {
    runner,
    uid: process.getuid?.() ?? 0,
    serviceUid: () => {
      try {
        const uid = /^portcullis:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))?.[1];
        return uid === undefined ? undefined : Number(uid);
      } catch {
        return undefined;
      }
    },
    processEnv: process.env,
    load: loadConfigFile,
    link: readLink,
    links: listLinks,
    defaultRoute: readDefaultRoute,
    canCapture: canCaptureHere,
    capture: (iface, ms) => probeCapture(iface, ms),
    addresses: (ifaces) => {
      const a = localAddresses(ifaces, false);
      return [...a.v4, ...a.v6];
    },
    stat: statFile,
    daemon: async (socket): Promise<DaemonState> => {
      try {
        const s = await fetchStatus(socket, { timeoutMs: 2000 });
        return { running: true, pid: s.pid, config: s.config };
      } catch (err) {
        if (err instanceof ControlError && err.code === 'CONTROL_NOT_RUNNING') return { running: false };
        return { running: undefined, why: (err as Error).message };
      }
    },
  };
}
