// Lets `npx knex migrate:latest` / `migrate:rollback` work: DATABASE_URL as for the app, checked the same way.
import { ConfigError, loadDatabaseUrl } from './src/config';
import { knexConfig } from './src/db';

function databaseUrl(): string {
  try {
    return loadDatabaseUrl(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

export default knexConfig(databaseUrl());
