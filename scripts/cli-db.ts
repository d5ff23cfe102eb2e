import { ConfigError, loadConfig } from '../src/config';

/** DATABASE_URL as the server reads it, or null after printing the one-line reason (the caller then exits 2). */
export function cliDatabaseUrl(): string | null {
  try {
    return loadConfig(process.env, { demoData: false }).databaseUrl;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return null;
  }
}
