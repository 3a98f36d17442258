/**
 * Takes secrets out of a message before a script prints it. Drivers and tools quote what they were
 * given: the Neon driver's "not a valid URL" error carries the whole connection string, password too.
 */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi;

/** `secrets` are values to hide wherever they appear (and, for a URL, its password on its own). */
export function redact(message: string, secrets: (string | undefined)[] = []): string {
  const hidden = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    hidden.add(secret);
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/i.exec(secret)?.[1];
    if (password) {
      hidden.add(password);
      try {
        hidden.add(decodeURIComponent(password));
      } catch {
        // Not percent-encoded text: the raw form is already hidden.
      }
    }
  }
  let text = message;
  for (const value of [...hidden].sort((a, b) => b.length - a.length)) {
    if (value.length >= 4) text = text.split(value).join("***");
  }
  return text.replace(USERINFO, "$1***@");
}
