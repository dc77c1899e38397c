/** What the control plane accepts as a PostgreSQL store (`--store`), and how messages name it. */

/** Whether `store` names a PostgreSQL database (`postgresql://…` or `postgres://…`). */
export function isPostgresUrl(store: string): boolean {
  return /^postgres(ql)?:\/\//i.test(store);
}

/** The URL without its password (and without its query, which may hold one), for messages and logs. */
export function redactedPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}
