// portcullis serve: the knock daemon, accepting knockd's command line.
import { captureInterfaces, readDefaultRoute } from '../net/capture-interfaces.js';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, lastValue, UsageError } from './args.js';
import { commandHelp, optionSpecs, VERSION } from './help/reference.js';
import { commandUsage } from './help/render-text.js';
import { loadConfigFile } from './config-file.js';
import { startDaemon } from '../daemon/run.js';

// Options and help: src/cli/help/commands-daemon.ts.
const HELP = commandHelp('serve');
const USAGE = commandUsage(HELP);

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, optionSpecs(HELP));
    if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
    const format = lastValue(args, 'log-format');
    if (format !== undefined && format !== 'text' && format !== 'json') throw new UsageError(`--log-format must be text or json, not '${format}'`);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`portcullis serve: ${err.message}\n${USAGE}`);
      return 1;
    }
    throw err;
  }
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  if (args.flags.has('version')) {
    console.log(`portcullis ${VERSION}`);
    return 0;
  }
  const configPath = resolve(lastValue(args, 'config') ?? '/etc/knockd.conf');
  const fwknopAccess = lastValue(args, 'fwknop-access');
  const loaded = loadConfigFile(configPath, fwknopAccess);
  if (!loaded.ok) {
    for (const m of loaded.messages) console.error(m);
    console.error(`portcullis serve: ${configPath} is not valid; not starting`);
    return 1;
  }
  const interfaces = captureInterfaces(args.values.get('interface') ?? [], loaded.config.options.interfaces, readDefaultRoute());
  const daemonize = args.flags.has('daemon');
  const pidFile = lastValue(args, 'pidfile') ?? loaded.config.options.pidFile ?? (daemonize ? '/run/portcullis.pid' : undefined);

  // Absolute before -d changes the directory to /.
  const controlSocket = lastValue(args, 'control-socket');
  if (daemonize && process.env.PORTCULLIS_DETACHED !== '1') {
    const absolute = [
      ...(controlSocket ? ['--control-socket', resolve(controlSocket)] : []),
      ...(fwknopAccess ? ['--fwknop-access', resolve(fwknopAccess)] : []),
    ];
    return detach([...argv, ...absolute], configPath, pidFile!);
  }

  return startDaemon({
    configPath,
    config: loaded.config,
    interfaces,
    ipv4Only: args.flags.has('only-ip-v4'),
    verbose: args.flags.has('verbose'),
    debug: args.flags.has('debug'),
    logFile: lastValue(args, 'logfile') ?? loaded.config.options.logFile,
    logFormat: (lastValue(args, 'log-format') ?? 'text') as 'text' | 'json',
    stateDir: lastValue(args, 'state-dir'),
    pidFile,
    stderr: process.env.PORTCULLIS_DETACHED !== '1',
    lookup: args.flags.has('lookup'),
    controlSocket: controlSocket && resolve(controlSocket),
    fwknopAccess: fwknopAccess && resolve(fwknopAccess),
  });
}

/**
 * -d: re-run this command detached, with every path absolute (knockd kept a
 * relative -c path and then died on SIGHUP after chdir("/")), and wait until
 * the child has written its pid file or failed.
 */
async function detach(argv: string[], configPath: string, pidFile: string): Promise<number> {
  const childArgv = ['serve', ...argv.filter((a) => a !== '-d' && a !== '--daemon'), '-c', configPath, '-p', resolve(pidFile)];
  const child = spawn(process.execPath, [resolve(new URL('../../../bin/portcullis', import.meta.url).pathname), ...childArgv], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
    env: { ...process.env, PORTCULLIS_DETACHED: '1' },
  });
  let exited: number | null | undefined;
  child.on('exit', (code) => { exited = code; });
  child.unref();
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (exited !== undefined) {
      console.error(`portcullis serve: the daemon exited during start-up (status ${exited}); see its log file or syslog`);
      return 1;
    }
    if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(child.pid)) return 0;
    await new Promise((r) => setTimeout(r, 50));
  }
  console.error('portcullis serve: the daemon did not write its pid file within 10 s');
  return 1;
}
