// portcullis check -c FILE: validate a config and show what `serve` would do with it.
import { resolve } from 'node:path';
import { describeConfig } from '../config/summary.js';
import { SystemHostView } from '../daemon/system-host.js';
import { filterForHost } from '../daemon/capture-filter.js';
import { parseArgs, lastValue, UsageError } from './args.js';
import { loadConfigFile } from './config-file.js';

const USAGE = `usage: portcullis check [-c FILE] [-i IF] [-4]
  Validates FILE (default /etc/knockd.conf), prints its doors and the capture
  filter serve would install on this host, and exits 0 if valid, 1 if not.`;

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, [
      { long: 'config', short: 'c', value: true },
      { long: 'interface', short: 'i', value: true, repeat: true },
      { long: 'only-ip-v4', short: '4' },
      { long: 'help', short: 'h' },
    ]);
    if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`portcullis check: ${err.message}\n${USAGE}`);
      return 1;
    }
    throw err;
  }
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const path = resolve(lastValue(args, 'config') ?? '/etc/knockd.conf');
  const loaded = loadConfigFile(path);
  if (!loaded.ok) {
    for (const m of loaded.messages) console.error(m);
    console.error(`${path}: ${loaded.messages.length} error(s); the file is not valid`);
    return 1;
  }
  const { config } = loaded;
  const ipv4Only = args.flags.has('only-ip-v4');
  const cli = (args.values.get('interface') ?? []).flatMap((v) => v.split(','));
  const interfaces = cli.length > 0 ? cli : config.options.interfaces.length > 0 ? [...config.options.interfaces] : ['any'];
  const host = new SystemHostView();
  const addresses = host.addresses(interfaces, ipv4Only);
  const filter = filterForHost(config, addresses, await host.ports(), ipv4Only);

  console.log(`${path}: valid, ${config.doors.length} door(s)\n`);
  console.log(describeConfig(config));
  console.log(`\ncapture filter on ${interfaces.join(',')} (this host's addresses and listening ports now):\n  ${filter}`);
  return 0;
}
