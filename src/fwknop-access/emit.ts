// The Portcullis config text for the stanzas: one `[fwknop-N]` SPA door each,
// and for every line written the access.conf line it came from, so errors
// found in the doors can name the access.conf line instead.
import type { At, LineOrigin } from './lines.js';
import { DEFAULT_ACCESS_TIMEOUT_S, DEFAULT_MAX_TIMEOUT_S, type DoorKey, type Stanza } from './stanza.js';

export interface ConvertedAccessConf {
  /** Portcullis config text: one `[fwknop-N]` SPA door per stanza, each after a `# from FILE:LINE` comment; ends with a newline. */
  readonly sections: string;
  /** How many doors (stanzas). */
  readonly doors: number;
  /** For line i + 1 of `sections`, the access.conf line it came from; undefined for comments and blank lines. */
  readonly lineOrigins: readonly (LineOrigin | undefined)[];
}

const OUTPUT_ORDER: readonly DoorKey[] = [
  'source', 'key_base64', 'key', 'hmac_key_base64', 'hmac_key', 'hmac_digest_type', 'encryption_mode',
  'open_ports', 'require_username', 'require_source_address', 'fw_access_timeout', 'max_fw_timeout',
  'enable_cmd_exec', 'cmd_exec_user', 'cmd_exec_group',
];

/** fwknopd ignores CMD_EXEC_USER/GROUP unless ENABLE_CMD_EXEC is Y; Portcullis would refuse them. */
const ONLY_WITH_CMD_EXEC: ReadonlySet<DoorKey> = new Set(['cmd_exec_user', 'cmd_exec_group']);

/** The door sections for stanzas read without errors. */
export function emitDoors(stanzas: readonly Stanza[]): ConvertedAccessConf {
  const lines: string[] = [];
  const origins: (LineOrigin | undefined)[] = [];
  const push = (line: string, origin?: At) => {
    lines.push(line);
    origins.push(origin && { file: origin.file, line: origin.line, key: origin.key });
  };
  for (const s of stanzas) {
    if (s.number > 1) push('');
    push(`# from ${s.at.file}:${s.at.line}`);
    push(`[fwknop-${s.number}]`, s.at);
    // fwknopd's defaults, written out so the door does not depend on Portcullis's
    // (require_source_address is yes by default in Portcullis, N in fwknopd).
    const defaults: Partial<Record<DoorKey, string>> = {
      require_source_address: 'no',
      fw_access_timeout: String(DEFAULT_ACCESS_TIMEOUT_S),
      max_fw_timeout: String(DEFAULT_MAX_TIMEOUT_S),
    };
    for (const key of OUTPUT_ORDER) {
      if (ONLY_WITH_CMD_EXEC.has(key) && !s.out.has('enable_cmd_exec')) continue;
      const setting = s.out.get(key);
      const value = setting?.value ?? defaults[key];
      if (value !== undefined) push(`${key} = ${value}`, setting?.at ?? s.at);
    }
  }
  return { sections: lines.length === 0 ? '' : `${lines.join('\n')}\n`, doors: stanzas.length, lineOrigins: origins };
}
