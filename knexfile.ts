// Lets `npx knex migrate:latest` / `migrate:rollback` work: DATABASE_URL as for the app.
import { knexConfig } from './src/db';

export default knexConfig(process.env.DATABASE_URL || 'sqlite:data/marketplace.sqlite3');
