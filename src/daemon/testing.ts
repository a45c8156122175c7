// The whole pipeline with in-memory edges, for tests: a capture double → the
// Daemon → real CommandGrants with a recording runner and an in-memory state
// file, on a manual clock with a memory logger.
import { CommandGrants } from '../actions/grants.js';
import { RecordingRunner } from '../actions/recording-runner.js';
import { MemoryCaptureSource } from '../capture/memory.js';
import type { Config, Door, Options } from '../config/model.js';
import { options, SERVER, tcp } from '../door/testing.js';
import { MemoryLogger } from '../log/memory-logger.js';
import { MemoryFileStore } from '../state/atomic-file.js';
import { ManualClock } from '../util/clock.js';
import { Daemon, type FilterBuilder } from './daemon.js';
import { StaticHostView } from './host.js';
import { oneTimeAdvancer } from './one-time.js';

export interface PipelineOptions {
  /** Default options() from door/testing. */
  readonly options?: Options;
  /** Default ['eth0']. */
  readonly interfaces?: readonly string[];
  /** Default: always the filter "filter". */
  readonly buildFilter?: FilterBuilder;
}

/** A Daemon for `doors` on host SERVER (listening on tcp/22), not yet started. */
export function daemonPipeline(doors: Door[], opts: PipelineOptions = {}) {
  const clock = new ManualClock();
  const log = new MemoryLogger(clock);
  const capture = new MemoryCaptureSource();
  const runner = new RecordingRunner();
  const files = new MemoryFileStore();
  const host = new StaticHostView({ v4: [SERVER], v6: [] }, { tcp: [22], udp: [], ephemeral: { from: 32768, to: 60999 } });
  const grants = new CommandGrants({ runner, clock, store: files, statePath: '/state/grants.json', log });
  const config: Config = { file: '/etc/knockd.conf', options: opts.options ?? options(), doors };
  const daemon = new Daemon(config, { interfaces: opts.interfaces ?? ['eth0'], ipv4Only: false }, {
    capture, actions: grants, host, clock, log, refreshMs: 1000,
    buildFilter: opts.buildFilter ?? (() => 'filter'),
    advanceOneTime: oneTimeAdvancer(files, log),
  });
  /** A TCP SYN from `src` to each port in turn, then waits until the grants are idle. */
  const knock = async (src: string, ...ports: number[]) => {
    for (const p of ports) capture.inject('any', tcp(src, p));
    await grants.idle();
  };
  return { clock, log, capture, runner, files, host, grants, daemon, knock };
}
