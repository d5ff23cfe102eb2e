/**
 * Whether another thread can open the database at this address too (not an in-memory SQLite database). A file of its
 * own, free of the drivers: a first start asks it before it loads them (src/server.ts, seeds/lib/load-in-worker.ts).
 */
export const isSharedAddress = (databaseUrl: string): boolean => !/^sqlite:(:memory:|file:)/.test(databaseUrl);
