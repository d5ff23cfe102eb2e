import type { Executor } from '../db';
import { parseStoredArray } from '../errors';

/** A row of the synonym table (migration 20261213090000_search_synonyms). */
export interface SynonymRow {
  id: number;
  term: string;
  synonyms: string[];
  twoWay: boolean;
  updatedAt: string;
}

interface Stored {
  id: number;
  term: string;
  synonyms: string;
  two_way: number | boolean;
  updated_at: string;
}

const fromStored = (r: Stored): SynonymRow => ({
  id: Number(r.id),
  term: r.term,
  synonyms: parseStoredArray(r.synonyms, { table: 'search_synonyms', column: 'synonyms', id: r.id }).map(String),
  twoWay: Boolean(r.two_way),
  updatedAt: r.updated_at,
});

export async function listSynonyms(db: Executor): Promise<SynonymRow[]> {
  const rows: Stored[] = await db('search_synonyms').select('id', 'term', 'synonyms', 'two_way', 'updated_at').orderBy('term').orderBy('id');
  return rows.map(fromStored);
}

export async function findSynonym(db: Executor, id: number): Promise<SynonymRow | undefined> {
  const row: Stored | undefined = await db('search_synonyms').select('id', 'term', 'synonyms', 'two_way', 'updated_at').where({ id }).first();
  return row ? fromStored(row) : undefined;
}

export async function findSynonymByTerm(db: Executor, term: string): Promise<SynonymRow | undefined> {
  const row: Stored | undefined = await db('search_synonyms').select('id', 'term', 'synonyms', 'two_way', 'updated_at').where({ term }).first();
  return row ? fromStored(row) : undefined;
}

export async function insertSynonym(db: Executor, s: { term: string; synonyms: string[]; twoWay: boolean }, now: string): Promise<number> {
  const [row] = await db('search_synonyms')
    .insert({ term: s.term, synonyms: JSON.stringify(s.synonyms), two_way: s.twoWay, created_at: now, updated_at: now })
    .returning('id');
  return typeof row === 'object' ? Number((row as { id: number }).id) : Number(row);
}

export async function updateSynonym(db: Executor, id: number, s: { term: string; synonyms: string[]; twoWay: boolean }, now: string): Promise<number> {
  return db('search_synonyms').where({ id }).update({ term: s.term, synonyms: JSON.stringify(s.synonyms), two_way: s.twoWay, updated_at: now });
}

export async function deleteSynonym(db: Executor, id: number): Promise<number> {
  return db('search_synonyms').where({ id }).delete();
}
