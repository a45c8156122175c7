// What a bench run produced: the data the report is rendered from.
import type { BurstRun } from './burst.js';
import type { DaemonKind } from './daemons.js';
import type { FloodRun } from './flood.js';
import type { Calibration } from './flood-source.js';
import type { KnockResult } from './knock-result.js';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import type { ProfileSummary } from './cpu-profile.js';
import type { SpaResult } from './spa-section.js';

/** What a daemon wrote during the flood run. */
export interface LogCounts {
  readonly lines: number;
  /** "IP: door: Stage N" lines (knockd writes one per flood packet). */
  readonly stageLines: number;
  readonly openLines: number;
  /** Lines Portcullis counted instead of writing (its periodic summaries). */
  readonly suppressed: number;
}

export interface DaemonResult {
  readonly kind: DaemonKind;
  readonly latency?: readonly KnockResult[];
  readonly flood?: FloodRun;
  readonly floodLog?: LogCounts;
  readonly burst?: BurstRun;
}

export interface BenchReport {
  readonly startedAt: Date;
  readonly seconds: number;
  /** 1-minute load average when the run ended (the machine's at the start is in `machine`). */
  readonly loadAtEnd?: number;
  readonly machine: MachineInfo;
  readonly options: BenchOptions;
  readonly calibration?: Calibration;
  readonly floodInterval?: string;
  /** The server interface both daemons listened on. */
  readonly serverIface?: string;
  readonly results: readonly DaemonResult[];
  /** The start command alone, ms from the shell's start to the element (see command-floor.ts). */
  readonly commandFloor?: readonly number[];
  /** One element written to an already running `nft -i`, ms to the monitor line (see command-floor.ts). */
  readonly channelFloor?: readonly number[];
  readonly profile?: ProfileSummary;
  /** The SPA section: Portcullis's SPA door and fwknopd. */
  readonly spa?: readonly SpaResult[];
}

export function countLogLines(text: string): LogCounts {
  let lines = 0;
  let stageLines = 0;
  let openLines = 0;
  let suppressed = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    lines++;
    if (/: Stage \d+\s*$/.test(line)) stageLines++;
    else if (/: OPEN SESAME\s*$/.test(line)) openLines++;
    const m = /(\d+) log lines suppressed/.exec(line);
    if (m) suppressed += Number(m[1]);
  }
  return { lines, stageLines, openLines, suppressed };
}
