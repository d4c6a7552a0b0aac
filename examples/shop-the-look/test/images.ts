/**
 * The photos the browser test uploads, made from the catalogue's drawings the way a shopper's photo differs from
 * them: on a tinted background, as an upright JPEG whose pixels are stored rotated (EXIF orientation 6), in greyscale
 * with a transparent background (PNG with alpha), large; and a drawing that is not in the catalogue.
 */
import sharp from 'sharp';

/** The drawing on a beige background (multiplied, so white becomes beige), 512 px, JPEG stored rotated + EXIF 6. */
export async function tintedRotatedJpeg(file: string): Promise<Buffer> {
  const drawing = await sharp(file)
    .resize(400, 400, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
  const tinted = await sharp({ create: { width: 512, height: 512, channels: 3, background: '#e6d5b3' } })
    .composite([{ input: drawing, blend: 'multiply' }])
    .png()
    .toBuffer();
  // stored turned a quarter to the left; orientation 6 tells a reader to turn it back
  return sharp(tinted).rotate(-90).jpeg({ quality: 88 }).withMetadata({ orientation: 6 }).toBuffer();
}

/** The drawing in greyscale on a transparent background (its near-white pixels made transparent), PNG. */
export async function greyscaleAlphaPng(file: string): Promise<Buffer> {
  const { data, info } = await sharp(file)
    .resize(384, 384, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const rgba = Buffer.alloc(info.width * info.height * 4);
  for (let i = 0; i < info.width * info.height; i++) {
    const v = data[i * info.channels] as number;
    rgba[i * 4] = v;
    rgba[i * 4 + 1] = v;
    rgba[i * 4 + 2] = v;
    rgba[i * 4 + 3] = v > 245 ? 0 : 255;
  }
  return sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } })
    .png()
    .toBuffer();
}

/** An SVG drawing rendered as a photo-sized PNG on white. */
export async function renderedPng(svg: string, side = 512): Promise<Buffer> {
  return sharp(svg, { density: 150 })
    .resize(side, side, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
}

/** A large JPEG (more pixels than the page sends; it scales it down first). */
export async function largeJpeg(file: string, width = 3000): Promise<Buffer> {
  return sharp(file)
    .resize(width, width, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 95 })
    .toBuffer();
}
