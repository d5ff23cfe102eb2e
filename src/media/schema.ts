import { z } from 'zod';
import { invalidField } from '../errors';
import { flag, optionalText } from '../schema';

/** Beside a picture's file (multipart): its alt text and whether it becomes the cover. */
export const ImageFields = z.object({ alt: optionalText(200), cover: flag.optional() });
export type ImageFields = z.output<typeof ImageFields>;

/** Beside a spec sheet's file (multipart): the title it is listed under (else its file name). */
export const DocumentFields = z.object({ title: optionalText(200) });
export type DocumentFields = z.output<typeof DocumentFields>;

export const MoveInput = z.object({ direction: z.enum(['up', 'down'], { message: 'validation.invalid' }) });

/** At most this many products side by side. */
export const MAX_COMPARE = 4;

/** The search for one more product to add to a comparison. */
export const CompareSearch = z.object({ q: optionalText(60) });

/**
 * The products to compare, `ids=1,2,3` (or `ids=1&ids=2`): whole numbers, repeats dropped, at most MAX_COMPARE; more
 * or anything else → 422 naming `ids`.
 */
export function compareIds(raw: unknown): number[] {
  const text = Array.isArray(raw) ? raw.map(String).join(',') : typeof raw === 'string' ? raw : '';
  const parts = text.split(',').map((x) => x.trim()).filter(Boolean);
  if (parts.length > 50 || text.length > 500) throw invalidField('ids', 'media.compare_too_many');
  if (!parts.every((p) => /^\d{1,9}$/.test(p))) throw invalidField('ids', 'media.compare_bad_ids');
  const ids = [...new Set(parts.map(Number))];
  if (ids.length > MAX_COMPARE) throw invalidField('ids', 'media.compare_too_many');
  return ids;
}
