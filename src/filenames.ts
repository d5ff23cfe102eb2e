/**
 * An uploader's file name as a download will carry it (`Content-Disposition`, the link on a page): no directories, no
 * control, quoting or wildcard characters, no Unicode format characters — the bidirectional overrides (U+202E made
 * `r‮gnp.exe.pdf` read as `rfdp.exe.png` on the reviewer's page: a penetration test, 2026-12-08), zero-width and
 * byte-order marks — no leading dots, at most 120 characters; `fallback` when nothing is left.
 */
export function downloadName(raw: string, fallback: string): string {
  const base = (raw.split(/[\\/]/).pop() ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f"<>|:*?;%]|\p{Cf}/gu, '')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 120);
  return base || fallback;
}
