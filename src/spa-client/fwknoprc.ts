// ~/.fwknoprc, the fwknop client's rc file (client/config_init.c), parsed
// without I/O. Stanzas are `[name]` lines; `[default]` applies to every run
// and a named stanza (-n NAME) overrides it. A line is `VAR value`, read with
// sscanf("%s %[^ ;\t\n\r#]"): a trailing `:` on VAR is dropped and the value
// ends at the first space, tab, `;` or `#` (values cannot hold spaces). As in
// fwknop, only the stanzas in use are checked, and any bad line in them is an
// error; variables that only matter to features portcullis lacks (GPG, -R…)
// are refused when they would turn such a feature on, ignored otherwise.
import { SpaClientError } from './errors.js';
import {
  parseAccess, parseAllowIp, parseDigest, parseMode, parseNat, parsePort, parseServer, parseTimeout, parseTransport, parseUser,
  parseYes, ValueProblem, mergeSettings, type SpaSettings,
} from './settings.js';

export const DEFAULT_STANZA = 'default';

export interface RcEntry {
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

export interface RcSection {
  readonly name: string;
  readonly line: number;
  /** Non-comment lines in the stanza; `entry` is undefined when the line is not `VAR value`. */
  readonly lines: ReadonlyArray<{ readonly line: number; readonly text: string; readonly entry?: RcEntry }>;
}

export interface Fwknoprc {
  readonly path: string;
  readonly sections: readonly RcSection[];
}

export function parseFwknoprc(text: string, path: string): Fwknoprc {
  const sections: Array<{ name: string; line: number; lines: Array<RcSection['lines'][number]> }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]*)\]/.exec(trimmed); // is_rc_section(): text up to the first `]`
    if (header) {
      sections.push({ name: header[1]!, line, lines: [] });
      return;
    }
    const current = sections[sections.length - 1];
    if (!current) return; // before any stanza: fwknop never reads it
    const m = /^(\S+)[ \t]+([^ ;\t#]+)/.exec(trimmed);
    const entry = m ? { name: m[1]!.replace(/:[^:]*$/, ''), value: m[2]!, line } : undefined;
    current.lines.push(entry ? { line, text: trimmed, entry } : { line, text: trimmed });
  });
  return { path, sections };
}

/** Stanza names other than [default], in file order (fwknop --stanza-list). */
export function stanzaNames(rc: Fwknoprc): string[] {
  return rc.sections.map((s) => s.name).filter((n) => n.toLowerCase() !== DEFAULT_STANZA);
}

/**
 * The settings of [default] and then of stanza `name` (every stanza of that
 * name, matched case-insensitively like fwknop), the later winning key by key.
 */
export function stanzaSettings(rc: Fwknoprc, name?: string): SpaSettings {
  const pick = (n: string) => rc.sections.filter((s) => s.name.toLowerCase() === n.toLowerCase());
  if (name !== undefined && name.toLowerCase() !== DEFAULT_STANZA && pick(name).length === 0) {
    const known = stanzaNames(rc);
    throw new SpaClientError('SPA_CLIENT_RC_FILE', `${rc.path}: named stanza [${name}] not found (${known.length ? `stanzas: ${known.join(', ')}` : 'the file has no named stanzas'})`);
  }
  const layers = [pick(DEFAULT_STANZA)];
  if (name !== undefined && name.toLowerCase() !== DEFAULT_STANZA) layers.push(pick(name));
  return mergeSettings(...layers.map((sections) => sectionSettings(rc.path, sections)));
}

function sectionSettings(path: string, sections: readonly RcSection[]): SpaSettings {
  let out: SpaSettings = {};
  for (const s of sections) {
    for (const l of s.lines) {
      const where = `${path}:${l.line}`;
      if (!l.entry) throw new SpaClientError('SPA_CLIENT_RC_FILE', `${where}: "${l.text}" is not VAR VALUE`);
      const { name, value } = l.entry;
      const apply = VARIABLES[name.toUpperCase()];
      if (!apply) throw new SpaClientError('SPA_CLIENT_RC_FILE', `${where}: unknown variable ${name}${HINTS[name.toUpperCase()] ?? ''}`);
      try {
        out = { ...out, ...apply(value, `${where} ${name.toUpperCase()}`) };
      } catch (e) {
        if (e instanceof ValueProblem) throw new SpaClientError('SPA_CLIENT_RC_FILE', `${where}: ${name} ${e.message}`);
        throw e;
      }
    }
  }
  return out;
}

type Apply = (value: string, from: string) => SpaSettings;

const ignored: Apply = () => ({});

/** A variable that turns on something portcullis does not do: refused when Y, ignored otherwise. */
const refusedWhenYes = (what: string): Apply => (value) => {
  if (parseYes(value)) throw new ValueProblem(`Y: ${what} is not supported by portcullis spa`);
  return {};
};

const refused = (what: string): Apply => () => {
  throw new ValueProblem(`is not supported by portcullis spa (${what})`);
};

const VARIABLES: Record<string, Apply> = {
  ACCESS: (v) => ({ access: parseAccess(v) }),
  ALLOW_IP: (v) => {
    if (v.toLowerCase() === 'source') return { allowIp: '0.0.0.0' };
    if (v.toLowerCase() === 'resolve') throw new ValueProblem('resolve: resolving the external address (-R) is not supported; give an address or "source"');
    return { allowIp: parseAllowIp(v) };
  },
  SPA_SERVER: (v) => ({ server: parseServer(v) }),
  SPA_SERVER_PORT: (v) => ({ serverPort: parsePort(v) }),
  SPA_SERVER_PROTO: (v) => ({ proto: parseTransport(v) }),
  DIGEST_TYPE: (v) => ({ digest: parseDigest(v) }),
  HMAC_DIGEST_TYPE: (v) => ({ hmacDigest: parseDigest(v) }),
  KEY: (v, from) => ({ key: { encoding: 'text', value: v, from } }),
  KEY_BASE64: (v, from) => ({ key: { encoding: 'base64', value: v, from } }),
  HMAC_KEY: (v, from) => ({ hmacKey: { encoding: 'text', value: v, from } }),
  HMAC_KEY_BASE64: (v, from) => ({ hmacKey: { encoding: 'base64', value: v, from } }),
  USE_HMAC: (v) => (parseYes(v) ? { useHmac: true } : {}),
  SPOOF_USER: (v) => ({ user: parseUser(v) }),
  FW_TIMEOUT: (v) => ({ fwTimeout: parseTimeout(v) }),
  NAT_ACCESS: (v) => ({ nat: parseNat(v) }),
  NAT_LOCAL: (v) => (parseYes(v) ? { natLocal: true } : {}),
  ENCRYPTION_MODE: (v) => ({ mode: parseMode(v) }),
  SERVER_RESOLVE_IPV4: (v) => (parseYes(v) ? { resolveIpv4: true } : {}),
  VERBOSE: (v) => (parseYes(v) || /^[1-9]$/.test(v) ? { verbose: true } : {}),
  // No effect here: portcullis never saves its arguments, and these only matter with GPG or -R.
  NO_SAVE_ARGS: ignored, WGET_CMD: ignored, RESOLVE_URL: ignored, RESOLVE_HTTP_ONLY: ignored, USE_WGET_USER_AGENT: ignored,
  GPG_HOMEDIR: ignored, GPG_EXE: ignored, GPG_RECIPIENT: ignored, GPG_SIGNER: ignored, GPG_NO_SIGNING_PW: ignored, USE_GPG_AGENT: ignored,
  USE_GPG: refusedWhenYes('GPG encryption'),
  RAND_PORT: refusedWhenYes('a random destination port (-r)'),
  NAT_RAND_PORT: refusedWhenYes('a random NAT port (--nat-rand-port)'),
  RESOLVE_IP_HTTPS: refusedWhenYes('resolving the external address (-R)'),
  RESOLVE_IP_HTTP: refusedWhenYes('resolving the external address (-R)'),
  GPG_SIGNING_PW: refused('GPG'), GPG_SIGNING_PW_BASE64: refused('GPG'),
  SPOOF_SOURCE_IP: refused('raw sockets'), SPA_SOURCE_PORT: refused('the OS picks the source port'),
  KEY_FILE: refused('give the key as KEY_BASE64'), HMAC_KEY_FILE: refused('give the key as HMAC_KEY_BASE64'),
  TIME_OFFSET: refused('the packet carries the local clock'), NAT_PORT: refused('give the port in NAT_ACCESS'),
  HTTP_USER_AGENT: refused('the User-Agent is always Fwknop/2.6.10, which fwknopd requires'),
};

const HINTS: Record<string, string> = {
  CLIENT_TIMEOUT: " (fwknop's own name is FW_TIMEOUT, though its rc template says CLIENT_TIMEOUT)",
  SERVER_PORT: ' (did you mean SPA_SERVER_PORT?)',
  HMAC_TYPE: ' (did you mean HMAC_DIGEST_TYPE?)',
};
