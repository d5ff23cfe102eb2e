import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Whose X-Forwarded-For to believe: nobody's (`false`: the client is the socket's peer), the nearest `n` proxies'
 * (a hop count: the client is the n-th address from the right), or only these proxies' (a list of addresses: the
 * header counts only when the peer is one of them, and the client is the rightmost address not in the list).
 */
export type TrustProxy = false | number | string[];

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string;
  demoData: boolean;
  sessionSecret: string;
  fakeClock: boolean;
  logLevel: string;
  trustProxy: TrustProxy;
  /** Serve Prometheus metrics at /metrics (standalone: on unless METRICS=0; a mounted plugin: off unless asked). */
  metrics: boolean;
  /** When set, /metrics wants `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** How long a SIGTERM/SIGINT lets in-flight requests finish before the process gives up (exit 1). */
  shutdownTimeoutMs: number;
  /**
   * The standalone server's bound on how far V8 lets its heap grow past what is live after a full collection, in
   * percent, but never to less than 32 MB of growth (0: V8's own choice, up to four times under a high allocation
   * rate). Applied by src/ops/heap-growth.ts from src/server.ts; a mounted plugin leaves its host's process alone.
   */
  heapGrowthPercent: number;
  /**
   * The site's public origin (`https://gpc.zj.gov.cn`), for the absolute links of the public feeds (Atom, OCDS): set,
   * they never echo a request's Host header, which a cache keyed by path alone would otherwise serve to everyone.
   */
  publicUrl: string | null;
}

/** Wrong environment values: the entry point prints `message` (one line per wrong variable) and exits. */
export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const rules: Record<string, { schema: z.ZodType; expects: string; secret?: boolean }> = {
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']), expects: 'one of development, production, test' },
  PORT: { schema: z.string().regex(/^\d{1,5}$/).transform(Number).refine((n) => n <= 65535), expects: 'a port number from 0 to 65535' },
  DATABASE_URL: {
    schema: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/),
    expects: "'sqlite:<file>' or 'postgres://user@host:port/db'",
  },
  DEMO_DATA: { schema: z.enum(['0', '1']), expects: '0 or 1' },
  SESSION_SECRET: { schema: z.string().min(32), expects: 'a secret of at least 32 characters', secret: true },
  FAKE_CLOCK: { schema: z.enum(['0', '1']), expects: '0 or 1' },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS), expects: `one of ${LOG_LEVELS.join(', ')}` },
  TRUST_PROXY: {
    schema: z
      .string()
      .refine((v) => parseTrustProxy(v) !== undefined)
      .transform((v) => parseTrustProxy(v) as TrustProxy),
    expects: 'none, a number of proxies from 1 to 9, or a comma-separated list of proxy IP addresses',
  },
  METRICS: { schema: z.enum(['0', '1']), expects: '0 or 1' },
  METRICS_TOKEN: { schema: z.string().min(16).regex(/^[\x21-\x7e]+$/), expects: 'a token of at least 16 printable characters', secret: true },
  PUBLIC_URL: {
    schema: z
      .string()
      .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i)
      .transform((v) => v.toLowerCase()),
    expects: "the site's origin, such as https://gpc.zj.gov.cn (scheme and host, no path)",
  },
  HEAP_GROWTH_PERCENT: { schema: z.string().regex(/^\d{1,3}$/).transform(Number), expects: 'a whole number of percent from 0 to 999 (0: V8 decides)' },
  SHUTDOWN_TIMEOUT_MS: { schema: z.string().regex(/^\d{1,7}$/).transform(Number), expects: 'a number of milliseconds from 0 to 9999999' },
};

/** TRUST_PROXY's value: `none` (or `0`), `1`…`9` proxies, or a list of IP addresses; undefined for anything else. */
export function parseTrustProxy(raw: string): TrustProxy | undefined {
  const v = raw.trim();
  if (v === 'none' || v === '0') return false;
  if (/^[1-9]$/.test(v)) return Number(v);
  const list = v.split(',').map((a) => a.trim());
  return list.every((a) => isIP(a) !== 0) ? list : undefined;
}

/** Reads one variable; a wrong value is noted in `errors` (one line, naming it; a secret is never echoed). */
function read<T>(env: NodeJS.ProcessEnv, name: string, fallback: T, errors: string[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const parsed = rules[name].schema.safeParse(raw);
  if (parsed.success) return parsed.data as T;
  errors.push(`${name}: expected ${rules[name].expects}, got ${rules[name].secret ? `${raw.length} characters` : `'${raw}'`}`);
  return fallback;
}

const DEFAULT_DATABASE_URL = 'sqlite:data/marketplace.sqlite3';
/** The heap may grow by half of what a full collection leaves, at least 32 MB (measured: docs/benchmarks-history.md, memory). */
const DEFAULT_HEAP_GROWTH_PERCENT = 50;

/** Every variable, checked together: all the wrong ones are reported at once, one line each. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: { demoData?: boolean; metrics?: boolean } = {}): Config {
  const errors: string[] = [];
  const nodeEnv = read(env, 'NODE_ENV', 'development' as Config['env'], errors);
  const production = nodeEnv === 'production';
  const demo = read<string>(env, 'DEMO_DATA', production || defaults.demoData === false ? '0' : '1', errors) === '1';
  const fakeClock = read<string>(env, 'FAKE_CLOCK', '0', errors) === '1';
  const secret = read<string | undefined>(env, 'SESSION_SECRET', undefined, errors);
  const port = read(env, 'PORT', 3000, errors);
  const databaseUrl = read(env, 'DATABASE_URL', DEFAULT_DATABASE_URL, errors);
  const logLevel = read(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info', errors);
  const trustProxy = read<TrustProxy>(env, 'TRUST_PROXY', false, errors);
  const metrics = read<string>(env, 'METRICS', defaults.metrics ? '1' : '0', errors) === '1';
  const metricsToken = read<string | null>(env, 'METRICS_TOKEN', null, errors);
  const shutdownTimeoutMs = read(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, errors);
  const heapGrowthPercent = read(env, 'HEAP_GROWTH_PERCENT', DEFAULT_HEAP_GROWTH_PERCENT, errors);
  const publicUrl = read<string | null>(env, 'PUBLIC_URL', null, errors);
  if (production && demo) errors.push('DEMO_DATA: demo data is refused with NODE_ENV=production; expected 0');
  if (production && fakeClock) errors.push('FAKE_CLOCK: the test clock is refused with NODE_ENV=production; unset it');
  if (production && !secret && !errors.some((e) => e.startsWith('SESSION_SECRET:'))) errors.push('SESSION_SECRET: required with NODE_ENV=production (at least 32 characters)');
  if (errors.length) throw new ConfigError(errors.join('\n'));
  return {
    env: nodeEnv,
    port,
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    demoData: demo,
    sessionSecret: secret ?? randomBytes(32).toString('hex'),
    fakeClock,
    logLevel,
    trustProxy,
    metrics,
    metricsToken,
    shutdownTimeoutMs,
    heapGrowthPercent,
    publicUrl,
  };
}

/** DATABASE_URL alone, for the command-line tools and the knex CLI (they need no session secret or port). */
export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const errors: string[] = [];
  const url = read(env, 'DATABASE_URL', DEFAULT_DATABASE_URL, errors);
  if (errors.length) throw new ConfigError(errors.join('\n'));
  return url;
}
