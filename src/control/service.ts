// The control socket as the daemon runs it: started in the background, and
// optional. Without it the daemon still guards its doors; it says once why
// `status`, `revoke` and `reload` will not work.
import { ev } from '../log/events.js';
import type { Logger } from '../log/logger.js';
import { ControlServer, type ControlLimits } from './server.js';
import type { ControlHandler } from './types.js';

export interface ControlService {
  /** Resolves once the socket listens, or has failed (and the warning is logged). */
  readonly ready: Promise<void>;
  /** Stops listening and removes the socket file; safe to call at any time. */
  close(): Promise<void>;
}

export function startControlSocket(path: string, handler: ControlHandler, log: Logger, limits?: Partial<ControlLimits>): ControlService {
  const server = ControlServer.listen(path, handler, limits).then(
    (s) => {
      log.info(`control socket listening on ${path}`, ev('control.listen', { path }));
      return s;
    },
    (err: Error) => {
      log.warn(`control socket unavailable (status, revoke and reload will not work; the doors are guarded as usual): ${err.message}`, ev('control.error', { path, error: err.message }));
      return undefined;
    },
  );
  return {
    ready: server.then(() => undefined),
    close: async () => { await (await server)?.close(); },
  };
}
