// The shapes of the one reference that `--help`, portcullis(8) and
// portcullis.conf(5) are rendered from (see reference.ts for how to add to it).
//
// Text markup, the same in every field: `backticks` mark literal text
// (commands, keys, paths, values), printed as is by --help and in bold in the
// man pages; UPPER-CASE words are placeholders. Paragraphs are plain strings;
// --help and man wrap them. A line starting with "  " is kept as a literal line.

/** One option of a subcommand: the parser spec and its help in one place. */
export interface OptionHelp {
  /** Long name without the dashes. */
  readonly long: string;
  /** One character, without the dash. */
  readonly short?: string;
  /** The value's placeholder (`FILE`, `SECONDS`); present when the option takes a value. */
  readonly arg?: string;
  /** May be given several times; the values are collected in order. */
  readonly repeat?: boolean;
  readonly help: string;
  /** Accepted only to refuse it with a clear message; listed under "not supported". */
  readonly refused?: boolean;
}

export interface Example {
  readonly command: string;
  readonly help: string;
}

export interface CommandHelp {
  /** As typed after `portcullis`: `serve`, `spa decode`. */
  readonly name: string;
  /** One line for `portcullis --help` and the man page's command list. */
  readonly summary: string;
  /** Usage lines without the leading `portcullis `. */
  readonly synopsis: readonly string[];
  readonly description: readonly string[];
  readonly options: readonly OptionHelp[];
  /** Positional arguments. */
  readonly operands?: readonly { readonly name: string; readonly help: string }[];
  /** Further paragraphs after the options (notes, what is not supported). */
  readonly notes?: readonly string[];
  readonly exitStatus: string;
  readonly examples?: readonly Example[];
}

/** Where a config key comes from: it means what it meant there. */
export type Origin = 'knockd' | 'fwknop' | 'portcullis';

export interface ConfigKeyHelp {
  /** The documented spelling (case does not matter to the parser). */
  readonly key: string;
  /** Other accepted spellings of the same key. */
  readonly aliases?: readonly string[];
  /** Value syntax after `=`; empty for a bare word such as `UseSyslog`. */
  readonly value: string;
  readonly default: string;
  readonly help: string;
  readonly origin: Origin;
}

export type SectionId = 'options' | 'knock-door' | 'spa-door';

export interface ConfigSection {
  readonly id: SectionId;
  readonly title: string;
  readonly intro: readonly string[];
  readonly keys: readonly ConfigKeyHelp[];
  /** An example section of the file, shown verbatim. */
  readonly example?: string;
}
