import type { Executor } from '../db';

export async function readSetting<T>(db: Executor, key: string): Promise<T | undefined> {
  const row = await db('settings').where({ key }).first('value');
  return row ? (JSON.parse(row.value as string) as T) : undefined;
}

export async function writeSetting(db: Executor, key: string, value: unknown, now: string): Promise<void> {
  await db('settings').insert({ key, value: JSON.stringify(value), updated_at: now }).onConflict('key').merge(['value', 'updated_at']);
}
