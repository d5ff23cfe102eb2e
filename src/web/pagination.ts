/** One page of a list, as every paged service answers it (and the JSON routes return it). */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Previous and next for the simple pagers (notices, cases, the admin's queues): page numbers, or null at an end. */
export function pagination(p: { page: number; pageSize: number; total: number }) {
  const totalPages = Math.max(1, Math.ceil(p.total / p.pageSize));
  return { page: p.page, totalPages, prev: p.page > 1 ? p.page - 1 : null, next: p.page < totalPages ? p.page + 1 : null };
}

/**
 * The view model of views/partials/pagination.hbs, for any paged list: previous/next and a window of page numbers
 * around the current one, with gaps (1 … 4 5 [6] 7 8 … 50). Links keep `query` (the filters) and set `page`.
 */
export interface PaginationModel {
  path: string;
  query: Record<string, string>;
  page: number;
  totalPages: number;
  prev: number | null;
  next: number | null;
  pages: Array<{ n: number; current: boolean; gap: boolean }>;
}

export function paginationModel(path: string, query: Record<string, string>, page: number, totalPages: number, window = 2): PaginationModel {
  const last = Math.max(1, totalPages);
  const shown = new Set<number>([1, last]);
  for (let n = page - window; n <= page + window; n++) if (n >= 1 && n <= last) shown.add(n);
  const sorted = [...shown].sort((a, b) => a - b);
  const pages: PaginationModel['pages'] = [];
  sorted.forEach((n, i) => {
    if (i > 0 && n - sorted[i - 1] > 1) pages.push({ n: 0, current: false, gap: true });
    pages.push({ n, current: n === page, gap: false });
  });
  const { page: _omit, ...rest } = query;
  return { path, query: rest, page, totalPages: last, prev: page > 1 ? Math.min(page - 1, last) : null, next: page < last ? page + 1 : null, pages };
}
