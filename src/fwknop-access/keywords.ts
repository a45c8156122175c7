// The access.conf keywords: those converted to door keys, those fwknopd knows
// and Portcullis does not do yet (each with what to do instead), the directives.

/** The access.conf keywords converted, with the Portcullis door key each becomes. */
export const CONVERTED_KEYWORDS = {
  SOURCE: 'source',
  KEY: 'key',
  KEY_BASE64: 'key_base64',
  HMAC_KEY: 'hmac_key',
  HMAC_KEY_BASE64: 'hmac_key_base64',
  HMAC_DIGEST_TYPE: 'hmac_digest_type',
  ENCRYPTION_MODE: 'encryption_mode',
  OPEN_PORTS: 'open_ports',
  FW_ACCESS_TIMEOUT: 'fw_access_timeout',
  MAX_FW_TIMEOUT: 'max_fw_timeout',
  REQUIRE_SOURCE_ADDRESS: 'require_source_address',
  REQUIRE_SOURCE: 'require_source_address',
  REQUIRE_USERNAME: 'require_username',
  // Command messages (fwknop -C): run without a shell as CMD_EXEC_USER, which
  // Portcullis requires with Y (fwknopd's default is root: write CMD_EXEC_USER root).
  ENABLE_CMD_EXEC: 'enable_cmd_exec',
  CMD_EXEC_USER: 'cmd_exec_user',
  CMD_EXEC_GROUP: 'cmd_exec_group',
} as const;
export type Converted = keyof typeof CONVERTED_KEYWORDS;

const DIRECTIVES = ['%include', '%include_folder', '%include_keys'] as const;

export const NOT_YET = 'not supported by Portcullis yet';
export const GPG = `GPG-encrypted SPA is ${NOT_YET}; expected Rijndael keys instead: KEY_BASE64 and HMAC_KEY_BASE64 from fwknop --key-gen (clients: --key-base64-rijndael, --key-base64-hmac, --use-hmac)`;
const NAT = (k: string) => `NAT for SPA doors is ${NOT_YET}; expected no ${k} line (for gateway access to an inside host, a knock door with forward = tcp/PORT -> HOST:PORT)`;
const CMD_CYCLE = (k: string) => `command cycles are not supported in converted stanzas yet; expected no ${k} line: let Portcullis open OPEN_PORTS through its firewall backend, or write this stanza as an SPA door in the Portcullis config with Start_Command/Stop_Command (%IP% for $IP)`;
const SUDO = (k: string) => `Portcullis runs command messages directly as CMD_EXEC_USER, never through sudo; expected no ${k} line: CMD_EXEC_USER (and CMD_EXEC_GROUP) name the account the command runs as, and cmd_allow in the Portcullis config limits which commands run`;

/** Keywords fwknopd knows and Portcullis does not do yet, each with what to do instead. */
export const UNSUPPORTED: Readonly<Record<string, string>> = {
  DESTINATION: `${NOT_YET}; expected no DESTINATION line (an SPA door takes packets sent to any address of the host; capture on fewer interfaces with -i to narrow it)`,
  RESTRICT_PORTS: `${NOT_YET}; expected the ports clients may open listed in OPEN_PORTS instead (Portcullis refuses every port not listed there)`,
  CMD_CYCLE_OPEN: CMD_CYCLE('CMD_CYCLE_OPEN'),
  CMD_CYCLE_CLOSE: CMD_CYCLE('CMD_CYCLE_CLOSE'),
  CMD_CYCLE_TIMER: CMD_CYCLE('CMD_CYCLE_TIMER'),
  ACCESS_EXPIRE: `${NOT_YET}; expected no ACCESS_EXPIRE line: remove the stanza when its access should end`,
  ACCESS_EXPIRE_EPOCH: `${NOT_YET}; expected no ACCESS_EXPIRE_EPOCH line: remove the stanza when its access should end`,
  FORCE_NAT: NAT('FORCE_NAT'),
  FORCE_SNAT: NAT('FORCE_SNAT'),
  FORCE_MASQUERADE: NAT('FORCE_MASQUERADE'),
  DISABLE_DNAT: NAT('DISABLE_DNAT'),
  FORWARD_ALL: NAT('FORWARD_ALL'),
  ENABLE_CMD_SUDO_EXEC: SUDO('ENABLE_CMD_SUDO_EXEC'),
  CMD_SUDO_EXEC_USER: SUDO('CMD_SUDO_EXEC_USER'),
  CMD_SUDO_EXEC_GROUP: SUDO('CMD_SUDO_EXEC_GROUP'),
  GPG_HOME_DIR: GPG,
  GPG_EXE: GPG,
  GPG_DECRYPT_ID: GPG,
  GPG_DECRYPT_PW: GPG,
  GPG_ALLOW_NO_PW: GPG,
  GPG_REQUIRE_SIG: GPG,
  GPG_DISABLE_SIG: GPG,
  GPG_IGNORE_SIG_VERIFY_ERROR: GPG,
  GPG_REMOTE_ID: GPG,
  GPG_FINGERPRINT_ID: GPG,
};

/** Y/N switches that do nothing when N: an N line is accepted and has nothing to convert. */
export const HARMLESS_WHEN_N: ReadonlySet<string> = new Set([
  'FORCE_MASQUERADE', 'DISABLE_DNAT', 'FORWARD_ALL', 'ENABLE_CMD_SUDO_EXEC',
  'GPG_ALLOW_NO_PW', 'GPG_REQUIRE_SIG', 'GPG_DISABLE_SIG', 'GPG_IGNORE_SIG_VERIFY_ERROR',
]);

/** The keywords named when one is unknown. */
export const SUPPORTED_LIST = [...Object.keys(CONVERTED_KEYWORDS), ...DIRECTIVES].join(', ');
/** Every keyword fwknopd knows; a line with any other is an error. */
export const KNOWN: ReadonlySet<string> = new Set([...Object.keys(CONVERTED_KEYWORDS), ...Object.keys(UNSUPPORTED), ...DIRECTIVES]);
