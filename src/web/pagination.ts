/** One page of a list, as every paged service answers it (and the JSON routes return it). */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** One page of a short list read whole (the rule versions, the rounds): the same answer as every paged list. */
export function pageOf<T>(all: readonly T[], q: { page: number; pageSize: number }): Page<T> {
  return { items: all.slice((q.page - 1) * q.pageSize, q.page * q.pageSize), total: all.length, page: q.page, pageSize: q.pageSize };
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

/** How many items each section of a desk shows (oldest deadline first), and a page of a section's full list. */
export const DESK_TOP = 10;
export const DESK_PAGE_SIZE = 50;

/**
 * One section of a role's desk (views/partials/desk-more.hbs): its first DESK_TOP items and its total, with a link to
 * the rest — `listHref` (an existing list page with the right filter) or the desk itself, `?section=<name>`, whose
 * page shows that section's items DESK_PAGE_SIZE at a time (`&page=`). Plain links: no JavaScript.
 */
export interface DeskSection<T> {
  name: string;
  items: T[];
  total: number;
  /** The link to the rest, when there are more than DESK_TOP (and not already on the full list). */
  more: { path: string; section: string | null; n: number } | null;
  /** On the section's full list: its pager and the way back to the desk. */
  pagination: PaginationModel | null;
  full: boolean;
  path: string;
}

export function deskSection<T>(name: string, all: T[], path: string, query: Record<string, unknown>, opts: { total?: number; listHref?: string } = {}): DeskSection<T> {
  const total = opts.total ?? all.length;
  if (query.section === name && !opts.listHref) {
    const totalPages = Math.max(1, Math.ceil(all.length / DESK_PAGE_SIZE));
    const asked = Number.parseInt(String(query.page ?? '1'), 10);
    const page = Number.isFinite(asked) ? Math.min(Math.max(1, asked), totalPages) : 1;
    const items = all.slice((page - 1) * DESK_PAGE_SIZE, page * DESK_PAGE_SIZE);
    return { name, items, total, more: null, pagination: paginationModel(path, { section: name }, page, totalPages), full: true, path };
  }
  const more = total > DESK_TOP ? (opts.listHref ? { path: opts.listHref, section: null, n: total } : { path, section: name, n: total }) : null;
  return { name, items: all.slice(0, DESK_TOP), total, more, pagination: null, full: false, path };
}
