import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string;
  demoData: boolean;
  sessionSecret: string;
  fakeClock: boolean;
  logLevel: string;
}

/** A wrong environment value: the entry point prints `message` as one line and exits. */
export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const rules: Record<string, { schema: z.ZodType; expects: string }> = {
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']), expects: 'one of development, production, test' },
  PORT: { schema: z.string().regex(/^\d{1,5}$/).transform(Number).refine((n) => n <= 65535), expects: 'a port number from 0 to 65535' },
  DATABASE_URL: {
    schema: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/),
    expects: "'sqlite:<file>' or 'postgres://user@host:port/db'",
  },
  DEMO_DATA: { schema: z.enum(['0', '1']), expects: '0 or 1' },
  SESSION_SECRET: { schema: z.string().min(32), expects: 'a secret of at least 32 characters' },
  FAKE_CLOCK: { schema: z.enum(['0', '1']), expects: '0 or 1' },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS), expects: `one of ${LOG_LEVELS.join(', ')}` },
};

function read<T>(env: NodeJS.ProcessEnv, name: string, fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const parsed = rules[name].schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${name}: expected ${rules[name].expects}, got '${raw}'`);
  return parsed.data as T;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: { demoData?: boolean } = {}): Config {
  const nodeEnv = read(env, 'NODE_ENV', 'development' as Config['env']);
  const production = nodeEnv === 'production';
  const demo = read<string>(env, 'DEMO_DATA', production || defaults.demoData === false ? '0' : '1') === '1';
  const fakeClock = read<string>(env, 'FAKE_CLOCK', '0') === '1';
  const secret = read<string | undefined>(env, 'SESSION_SECRET', undefined);
  if (production && demo) throw new ConfigError('DEMO_DATA: demo data is refused with NODE_ENV=production; expected 0');
  if (production && fakeClock) throw new ConfigError('FAKE_CLOCK: the test clock is refused with NODE_ENV=production; unset it');
  if (production && !secret) throw new ConfigError('SESSION_SECRET: required with NODE_ENV=production (at least 32 characters)');
  return {
    env: nodeEnv,
    port: read(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0',
    databaseUrl: read(env, 'DATABASE_URL', 'sqlite:data/marketplace.sqlite3'),
    demoData: demo,
    sessionSecret: secret ?? randomBytes(32).toString('hex'),
    fakeClock,
    logLevel: read(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info'),
  };
}
