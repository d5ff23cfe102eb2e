import { ConfigError, loadDatabaseUrl } from '../src/config';

/**
 * DATABASE_URL as the server reads it, or null after printing the one-line reason (the caller then exits 2). Only that
 * variable: a tool run beside a production server needs no session secret.
 */
export function cliDatabaseUrl(): string | null {
  try {
    return loadDatabaseUrl(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return null;
  }
}
