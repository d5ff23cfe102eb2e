/**
 * The catalogue's search text, shared by indexing (a listing written by vendors, or refreshed by certification when
 * its certificate changes) and querying (catalogue). Normalisation: NFKC folds full-width letters, digits and punctuation to
 * half-width (ＣＴ → CT, １．５Ｔ → 1.5T), then lower-case, then whitespace collapsed.
 */
export function normalizeSearch(input: string): string {
  return input.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Query terms: whitespace-separated, each matched as a substring (so 2-character Chinese words match inside words). */
export function searchTerms(q: string): string[] {
  const terms = normalizeSearch(q).split(' ').filter(Boolean);
  return [...new Set(terms)].slice(0, 8);
}

/**
 * Ends every indexed text, so that its last characters also begin a trigram: a 1- or 2-character query is answered
 * from the trigram index by the trigrams that start with it (see repo.ts).
 */
export const SEARCH_TEXT_END = '  ';

/** The indexed text of a product: title first, so a match's position ranks title hits above the rest. */
export function productSearchText(p: { title: string; model: string; field: string; certNo?: string | null; vendorName?: string; description?: string }): string {
  return normalizeSearch([p.title, p.model, p.certNo ?? '', p.field, p.vendorName ?? '', p.description ?? ''].join(' ')) + SEARCH_TEXT_END;
}

/** An FTS5 query matching any of the given index terms (trigrams), each quoted. */
export function ftsAnyOf(terms: string[]): string {
  return terms.map(ftsPhrase).join(' OR ');
}

/** LIKE pattern for a term, with the wildcard characters escaped (ESCAPE '\'). */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** An FTS5 string literal for the trigram tokenizer: the whole term as one phrase. */
export function ftsPhrase(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}
