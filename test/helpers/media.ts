import sharp from 'sharp';

/** Pictures and files for the media tests, made here (nothing binary is kept in the repository). */

/** A camera-like JPEG: 2400 × 1800, with EXIF that names where it was taken (GPS) and a marker text. */
export const EXIF_MARKER = 'SECRET-SITE-MARKER-3017';
export async function jpegWithGps(width = 2400, height = 1800): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .jpeg({ quality: 80 })
    .withExif({
      IFD0: { Copyright: EXIF_MARKER, ImageDescription: EXIF_MARKER },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 36/1', GPSLongitudeRef: 'E', GPSLongitude: '120/1 9/1 54/1' },
    })
    .toBuffer();
}

export const png = (width = 640, height = 480): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 4, background: { r: 20, g: 90, b: 160, alpha: 1 } } }).png().toBuffer();

export const webp = (width = 800, height = 600): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: 30, g: 140, b: 60 } } }).webp().toBuffer();

/** A small, valid PNG whose header claims `width` × `height` (a decompression bomb's shape): IHDR patched, CRC redone. */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const buf = Buffer.from(await png(8, 8));
  // signature (8) · length (4) · "IHDR" (4) · width (4) · height (4) …; the CRC covers "IHDR" and its 13 data bytes.
  buf.writeUInt32BE(width, 16);
  buf.writeUInt32BE(height, 20);
  buf.writeUInt32BE(crc32(buf.subarray(12, 29)), 29);
  return buf;
}

function crc32(data: Buffer): number {
  let c = ~0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

export const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')]);
export const HTML = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');
export const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>');
export const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;', 'latin1');
