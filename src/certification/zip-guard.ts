import zlib from 'node:zlib';

/**
 * Checks an uploaded zip (an XLSX workbook) by what it really holds, before anything unpacks it for use.
 *
 * A zip's headers say how large each entry unpacks, but they are only claims: a 1 MB upload can inflate to gigabytes
 * while its central directory declares a few kilobytes. So every entry is streamed through zlib's inflateRaw and the
 * bytes that actually come out are counted — per entry, in total, and against the entry's compressed size — and the
 * stream is destroyed as soon as a limit is passed; the inflated bytes are inspected chunk by chunk and never kept,
 * so the check itself costs a few hundred kilobytes whatever the zip claims or holds.
 *
 * The directory is read strictly, so that the zip a later reader (exceljs, through JSZip) unpacks is the zip that was
 * checked: one end-of-central-directory record, at the very end; the central directory right before it, holding
 * exactly the entries it counts; each local header naming the same file, method and (unless sizes follow the data)
 * sizes and CRC as its central entry; stored or deflated entries only; no encryption, ZIP64, multi-disk archives,
 * bytes prepended to the archive, or entries sharing bytes. An entry whose declared size, compressed size or CRC
 * differs from what its data really gives is refused as a lie ('mismatch').
 */

export interface ZipLimits {
  /** Entries in the central directory. */
  maxEntries: number;
  /** Bytes one entry may inflate to. */
  maxEntryBytes: number;
  /** Bytes all entries together may inflate to. */
  maxTotalBytes: number;
  /** Inflated ÷ compressed bytes of one entry, once it has inflated past `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export type ZipRefusal = 'broken' | 'too_many_entries' | 'entry_too_large' | 'total_too_large' | 'ratio' | 'mismatch';

export class ZipGuardError extends Error {
  constructor(
    readonly reason: ZipRefusal,
    readonly entry: string | null = null,
    detail = '',
  ) {
    super(`zip refused (${reason})${entry !== null ? ` at ${JSON.stringify(entry)}` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'ZipGuardError';
  }
}

export interface ZipEntry {
  name: string;
  method: 0 | 8;
  flags: number;
  crc32: number;
  compressedSize: number;
  /** As declared by the central directory — verified against the inflated data by {@link inflateChecked}. */
  declaredSize: number;
  localHeaderOffset: number;
  dataStart: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;

/**
 * The entries of a zip, read strictly from its central directory and checked against their local headers. Nothing is
 * inflated. Throws {@link ZipGuardError} ('broken' or 'too_many_entries').
 */
export function readZipDirectory(zip: Buffer, maxEntries: number): ZipEntry[] {
  const broken = (detail: string, entry: string | null = null): never => {
    throw new ZipGuardError('broken', entry, detail);
  };
  // The last end-of-central-directory signature anywhere in the file (where JSZip looks too), which must be a record
  // that ends the file exactly (with its comment).
  const end = zip.lastIndexOf(SIG_END);
  if (end < 0 || end + 22 > zip.length) return broken('no end of central directory');
  if (end + 22 + zip.readUInt16LE(end + 20) !== zip.length) return broken('bytes after the end of central directory');
  const disk = zip.readUInt16LE(end + 4);
  const cdDisk = zip.readUInt16LE(end + 6);
  const onDisk = zip.readUInt16LE(end + 8);
  const count = zip.readUInt16LE(end + 10);
  const cdSize = zip.readUInt32LE(end + 12);
  const cdOffset = zip.readUInt32LE(end + 16);
  if ([disk, cdDisk, onDisk, count].includes(MAX16) || cdSize === MAX32 || cdOffset === MAX32) return broken('ZIP64');
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) return broken('multi-disk archive');
  if (count === 0) return broken('no entries');
  if (count > maxEntries) throw new ZipGuardError('too_many_entries', null, `${count} entries`);
  if (cdOffset + cdSize !== end) return broken('central directory not right before its end record');

  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== SIG_CENTRAL) return broken(`central entry ${n} missing`);
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc32 = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const declaredSize = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const diskStart = zip.readUInt16LE(at + 34);
    const localHeaderOffset = zip.readUInt32LE(at + 42);
    if (next > end) return broken(`central entry ${n} overruns the directory`);
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
    const name = nameBytes.toString('utf8');
    if (flags & 0x0001) return broken('encrypted entry', name);
    if (method !== 0 && method !== 8) return broken(`compression method ${method}`, name);
    if (compressedSize === MAX32 || declaredSize === MAX32 || localHeaderOffset === MAX32 || diskStart === MAX16) return broken('ZIP64 entry', name);
    if (diskStart !== 0) return broken('entry on another disk', name);
    if (method === 0 && compressedSize !== declaredSize) throw new ZipGuardError('mismatch', name, 'stored entry with two sizes');

    // The local header: the same name, method and — unless a data descriptor follows the data — sizes and CRC.
    const local = localHeaderOffset;
    if (local + 30 > cdOffset || zip.readUInt32LE(local) !== SIG_LOCAL) return broken('local header missing', name);
    const localFlags = zip.readUInt16LE(local + 6);
    const localNameLength = zip.readUInt16LE(local + 26);
    const dataStart = local + 30 + localNameLength + zip.readUInt16LE(local + 28);
    if (dataStart + compressedSize > cdOffset) return broken('entry data overruns into the central directory', name);
    if (zip.readUInt16LE(local + 8) !== method || (localFlags & 0x0001) !== 0) return broken('local header disagrees on the method', name);
    if (!zip.subarray(local + 30, local + 30 + localNameLength).equals(nameBytes)) return broken('local header names another file', name);
    const localCrc = zip.readUInt32LE(local + 14);
    const localCompressed = zip.readUInt32LE(local + 18);
    const localSize = zip.readUInt32LE(local + 22);
    // With a data descriptor (flag bit 3) the local header may leave these at zero; otherwise they must agree.
    const deferred = (localFlags & 0x0008) !== 0;
    const agrees = (localValue: number, centralValue: number) => localValue === centralValue || (deferred && localValue === 0);
    if (!agrees(localCrc, crc32) || !agrees(localCompressed, compressedSize) || !agrees(localSize, declaredSize)) {
      throw new ZipGuardError('mismatch', name, 'local and central headers declare different sizes or CRC');
    }
    entries.push({ name, method, flags, crc32, compressedSize, declaredSize, localHeaderOffset, dataStart });
    at = next;
  }
  if (at !== end) return broken('central directory holds more than it counts');

  // No two entries may share bytes (the "overlapping entries" bomb reuses one deflated kernel for every entry).
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1];
    if (byOffset[i].localHeaderOffset < prev.dataStart + prev.compressedSize) return broken('entries overlap', byOffset[i].name);
  }
  return entries;
}

const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
const FEED = 64 * 1024;

/**
 * Inflates every entry of a zip (read by {@link readZipDirectory}) one after the other, counting the bytes that come
 * out: past the limits (per entry, in all, or the ratio to the entry's compressed size) the inflater is destroyed at
 * once, whatever the headers declared. `inspect` sees each inflated chunk, which is then dropped (and may throw to
 * refuse). Each entry must then have inflated to exactly its declared size, from exactly its compressed bytes, with
 * its CRC. Declared sizes past the limits are refused before anything is inflated. Resolves to the total inflated
 * bytes; throws {@link ZipGuardError}.
 */
export async function inflateChecked(
  zip: Buffer,
  entries: ZipEntry[],
  limits: ZipLimits,
  inspect: (entry: ZipEntry, chunk: Buffer) => void = () => {},
): Promise<number> {
  // What the headers claim is refused before anything is inflated; what the data really gives is counted below.
  let declared = 0;
  for (const entry of entries) {
    declared += entry.declaredSize;
    if (entry.declaredSize > limits.maxEntryBytes) throw new ZipGuardError('entry_too_large', entry.name, `declares ${entry.declaredSize} bytes`);
    if (declared > limits.maxTotalBytes) throw new ZipGuardError('total_too_large', entry.name, `declares more than ${limits.maxTotalBytes} bytes in all`);
  }
  let total = 0;
  for (const entry of entries) {
    const data = zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    let size = 0;
    let crc = 0;
    // Returns the refusal for this chunk, if any; counts it (and shows it to `inspect`) otherwise.
    const take = (chunk: Buffer): ZipGuardError | null => {
      size += chunk.length;
      total += chunk.length;
      if (size > limits.maxEntryBytes) return new ZipGuardError('entry_too_large', entry.name, `more than ${limits.maxEntryBytes} bytes`);
      if (total > limits.maxTotalBytes) return new ZipGuardError('total_too_large', entry.name, `more than ${limits.maxTotalBytes} bytes in all`);
      if (size > limits.ratioFloorBytes && size > limits.maxRatio * entry.compressedSize) {
        return new ZipGuardError('ratio', entry.name, `more than ${limits.maxRatio} times its ${entry.compressedSize} compressed bytes`);
      }
      if (crc32) crc = crc32(chunk, crc);
      inspect(entry, chunk);
      return null;
    };

    if (entry.method === 0) {
      for (let i = 0; i < data.length; i += FEED) {
        const refused = take(data.subarray(i, i + FEED));
        if (refused) throw refused;
      }
    } else {
      const inflater = zlib.createInflateRaw({ chunkSize: FEED });
      await new Promise<void>((resolve, reject) => {
        let refused: Error | null = null;
        inflater.on('data', (chunk: Buffer) => {
          if (refused) return;
          try {
            refused = take(chunk);
          } catch (err) {
            refused = err as Error;
          }
          if (refused) inflater.destroy(); // stops zlib: nothing more is inflated
        });
        inflater.on('error', (err) => reject(refused ?? new ZipGuardError('broken', entry.name, err.message)));
        inflater.on('close', () => (refused ? reject(refused) : undefined));
        inflater.on('end', () => {
          if (refused) return reject(refused);
          if (inflater.bytesWritten !== data.length) return reject(new ZipGuardError('mismatch', entry.name, 'data continues after the deflate stream ends'));
          resolve();
        });
        // Fed a slice at a time, so a bomb's compressed input is not handed to zlib all at once either.
        let i = 0;
        const feed = () => {
          while (i < data.length && !refused) {
            const piece = data.subarray(i, i + FEED);
            i += FEED;
            if (!inflater.write(piece)) return void inflater.once('drain', feed);
          }
          if (!refused) inflater.end();
        };
        feed();
      });
    }
    if (size !== entry.declaredSize) throw new ZipGuardError('mismatch', entry.name, `inflates to ${size} bytes, declared ${entry.declaredSize}`);
    if (crc32 && crc >>> 0 !== entry.crc32) throw new ZipGuardError('mismatch', entry.name, 'CRC differs');
  }
  return total;
}

/**
 * Counts XML start tags in a byte stream without parsing it: every `<` followed by a name character starts an element
 * (a `<` inside text or an attribute is always escaped in well-formed XML, so this never counts fewer than a parser
 * sees), and those whose local name is `row` are spreadsheet rows. What a DOM reader such as exceljs builds grows with
 * these counts far more than with the bytes, so they bound its memory. Feed chunks in order; call `reset()` between
 * files.
 */
export class XmlTagTally {
  elements = 0;
  rows = 0;
  // 0: in text; 1: just after '<'; 2: in a tag name.
  private state: 0 | 1 | 2 = 0;
  private localLength = 0;
  private localIsRow = true;

  reset(): void {
    this.state = 0;
  }

  feed(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 0) {
        const lt = chunk.indexOf(0x3c, i);
        if (lt < 0) return;
        this.state = 1;
        i = lt + 1;
        continue;
      }
      const b = chunk[i++];
      if (this.state === 1) {
        // A name starts with a letter, '_', ':' or any non-ASCII character; '/', '?', '!' are end tags, PIs, comments.
        if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x3a || b >= 0x80) {
          this.elements++;
          this.state = 2;
          this.localLength = 0;
          this.localIsRow = true;
          this.nameByte(b);
        } else if (b === 0x3c) {
          this.state = 1;
        } else {
          this.state = 0;
        }
        continue;
      }
      // In a name: it ends at whitespace, '>' or '/'.
      if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x3e || b === 0x2f) {
        if (this.localIsRow && this.localLength === 3) this.rows++;
        this.state = 0;
      } else if (b === 0x3c) {
        this.state = 1;
      } else {
        this.nameByte(b);
      }
    }
  }

  private nameByte(b: number): void {
    if (b === 0x3a) {
      this.localLength = 0;
      this.localIsRow = true;
      return;
    }
    if (this.localLength >= 3 || b !== 'row'.charCodeAt(this.localLength)) this.localIsRow = false;
    this.localLength++;
  }
}
