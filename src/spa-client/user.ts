// The username field when -U / SPOOF_USER (stanza) is not given, in libfko's
// order (lib/fko_user.c fko_set_username()): the SPOOF_USER environment
// variable, LOGNAME, the effective user (cuserid()), USER, then "NO_USER".

/** libfko truncates to MAX_SPA_USERNAME_SIZE − 1. */
const MAX_USERNAME = 63;

export function defaultUser(env: Readonly<Record<string, string | undefined>>, effectiveUser: () => string | undefined): string {
  const name = nonEmpty(env.SPOOF_USER) ?? nonEmpty(env.LOGNAME) ?? nonEmpty(safe(effectiveUser)) ?? nonEmpty(env.USER) ?? 'NO_USER';
  return name.slice(0, MAX_USERNAME);
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function safe(f: () => string | undefined): string | undefined {
  try {
    return f();
  } catch {
    return undefined; // os.userInfo() throws for a uid without a passwd entry
  }
}
