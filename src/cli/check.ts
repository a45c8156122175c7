// portcullis check -c FILE: validate a config and show what `serve` would do with it.
import { describeConfig } from '../config/summary.js';
import { SystemHostView } from '../daemon/system-host.js';
import { filterForHost } from '../daemon/capture-filter.js';
import { parseCommandArgs } from './args.js';
import { configPathArg, loadConfigOrReport } from './config-file.js';

const USAGE = `usage: portcullis check [-c FILE] [-i IF] [-4]
  Validates FILE (default /etc/knockd.conf), prints its doors and the capture
  filter serve would install on this host, and exits 0 if valid, 1 if not.`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs('check', USAGE, argv, [
    { long: 'config', short: 'c', value: true },
    { long: 'interface', short: 'i', value: true, repeat: true },
    { long: 'only-ip-v4', short: '4' },
  ]);
  if (typeof args === 'number') return args;
  const path = configPathArg(args);
  const config = loadConfigOrReport(path);
  if (!config) return 1;
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
