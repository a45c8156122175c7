// Where the control socket is. Daemon and clients resolve it the same way:
// --control-socket, then [options] ControlSocket, then systemd's
// $RUNTIME_DIRECTORY (RuntimeDirectory= in the unit), then /run/portcullis.
import { join } from 'node:path';
import { splitConfigLines } from '../config/lines.js';

export const DEFAULT_CONTROL_SOCKET = '/run/portcullis/control.sock';
const SOCKET_NAME = 'control.sock';

export function resolveControlSocket(cliArg?: string, configValue?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (cliArg) return cliArg;
  if (configValue) return configValue;
  // systemd passes one absolute path per RuntimeDirectory= entry, colon-separated (systemd.exec(5)).
  const fromSystemd = env['RUNTIME_DIRECTORY']?.split(':').find((p) => p !== '');
  if (fromSystemd) return join(fromSystemd, SOCKET_NAME);
  return DEFAULT_CONTROL_SOCKET;
}

/**
 * The ControlSocket of a config file's [options], read without validating the
 * rest: `portcullis reload` must find the daemon even when the file it is about
 * to reload has errors (the daemon reports those). Last value wins, as in the parser.
 */
export function controlSocketFromConfig(text: string): string | undefined {
  let inOptions = false;
  let found: string | undefined;
  for (const item of splitConfigLines(text)) {
    if (item.kind === 'section') inOptions = item.name === 'options';
    else if (item.kind === 'bad-section') inOptions = false;
    else if (inOptions && item.key.toLowerCase() === 'controlsocket' && item.value) found = item.value;
  }
  return found;
}
