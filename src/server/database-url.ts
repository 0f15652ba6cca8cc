/**
 * The PostgreSQL URL for display, in a module of its own so that commands that only open the store (`parapet
 * export` / `import`) need not load the whole server.
 */

/** The database URL for display: scheme, user, host, port and database, never the password. */
export function describeDatabase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('the database URL is not a URL: expected postgres://user[:password]@host[:port]/database');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new Error(`the database URL must start with postgres:// or postgresql://, not ${u.protocol}//`);
  return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
}
