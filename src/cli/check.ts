// portcullis check -c FILE: validate a config and show what `serve` would do with it.
import { describeConfig } from '../config/summary.js';
import { SystemHostView } from '../daemon/system-host.js';
import { filterForHost } from '../daemon/capture-filter.js';
import { parseCommandArgs } from './args.js';
import { configPathArg, loadConfigOrReport } from './config-file.js';
import { GetentLookup, resolveIdentities } from '../spa-server/command-identity.js';

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs('check', argv); // options and help: src/cli/help/commands-daemon.ts
  if (typeof args === 'number') return args;
  const path = configPathArg(args);
  const config = loadConfigOrReport(path);
  if (!config) return 1;
  // cmd_exec_user / cmd_exec_group must exist here, as `serve` will require at start.
  const ids = resolveIdentities(config, new GetentLookup());
  if (!ids.ok) {
    for (const m of ids.messages) console.error(m);
    return 1;
  }
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
