package dev.seraphim.inference.handler;


import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Encoded images (JPEG, CMYK and YCCK JPEG through TwelveMonkeys' reader, PNG, BMP, GIF's first frame, WebP through
 * TwelveMonkeys') to RGB as PIL's {@code convert("RGB")} gives it: alpha dropped,
 * a palette looked up, a gray level copied to the three channels (not gamma-converted, as Java's sRGB conversion of
 * a gray image would). The header's size is read first and an image over {@code maxPixels} is refused before its
 * pixels are decoded (a decompression bomb).
 */
public final class ImageDecoder {
    private ImageDecoder() {
    }

    public static BufferedImage decode(byte[] encoded, long maxPixels) {
        if (encoded.length == 0) {
            throw new InvalidInstanceException("the image is empty");
        }
        Format format = Format.of(encoded);
        try {
            try {
                return read(encoded, format.reader(), maxPixels);
            } catch (javax.imageio.IIOException e) {
                // the JDK's JPEG reader stops at CMYK and YCCK ("Unsupported Image Type"); TwelveMonkeys' reads them
                if (format != Format.JPEG || !String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
                    throw e;
                }
                return cmyk(encoded, maxPixels);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidInstanceException i) {
                throw i;
            }
            throw new InvalidInstanceException("the image could not be decoded (" + e.getClass().getSimpleName().replace("Exception", "")
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); send a complete " + SUPPORTED);
        }
    }

    static final String SUPPORTED = "JPEG, PNG, BMP, GIF or WebP image";

    /** What the first bytes say; readers are chosen here, not by ImageIO's registry of every plugin on the class path. */
    enum Format {
        JPEG, PNG, GIF, BMP, WEBP;

        static Format of(byte[] b) {
            if (b.length > 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
                return JPEG;
            }
            if (b.length > 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
                return PNG;
            }
            if (b.length > 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
                return GIF;
            }
            if (b.length > 14 && b[0] == 'B' && b[1] == 'M') {
                return BMP;
            }
            if (b.length > 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
                return WEBP;
            }
            throw new InvalidInstanceException("the body is not an image this server decodes: send a " + SUPPORTED);
        }

        ImageReader reader() throws IOException {
            if (this == WEBP) {
                return new com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi().createReaderInstance();
            }
            // the JDK's own reader, even where another plugin on the class path registered itself before it
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(name().toLowerCase());
            while (readers.hasNext()) {
                ImageReader r = readers.next();
                if (r.getClass().getName().startsWith("com.sun.imageio.")) {
                    return r;
                }
                r.dispose();
            }
            throw new IllegalStateException("the JDK has no " + this + " reader");
        }
    }

    private static BufferedImage read(byte[] encoded, ImageReader reader, long maxPixels) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            reader.setInput(in, true, true);
            checkSize(reader, maxPixels);
            java.util.List<String> warnings = new java.util.ArrayList<>();
            // a truncated JPEG decodes with a warning ("Premature end of JPEG file") and grey rows: refused, not guessed
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image = reader.read(0);
            if (!warnings.isEmpty()) {
                throw new InvalidInstanceException("the image could not be decoded (" + warnings.get(0) + "); send a complete " + SUPPORTED);
            }
            if (image.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_CMYK) {
                // the JDK's reader has already undone an Adobe file's inversion in the image it returns
                return pilCmyk(image.getRaster(), false);
            }
            return rgb(image);
        } finally {
            reader.dispose();
        }
    }

    /**
     * A YCCK JPEG (or a CMYK one the JDK's reader refused): TwelveMonkeys' reader gives its samples as CMYK, converted
     * as PIL converts CMYK.
     */
    private static BufferedImage cmyk(byte[] encoded, long maxPixels) throws IOException {
        ImageReader reader = new com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi().createReaderInstance();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            reader.setInput(in, true, true);
            checkSize(reader, maxPixels);
            return pilCmyk(reader.readRaster(0, null), adobe(encoded));
        } finally {
            reader.dispose();
        }
    }

    /**
     * CMYK samples as PIL's {@code convert("RGB")} turns them into RGB: R = (255 - K) - C (255 - K) / 255, and so for G
     * and B, rounded as Pillow's cmyk2rgb; no ICC profile applied (PIL applies none). An Adobe file stores its samples
     * inverted, and PIL reads them so ("CMYK;I"); a raw raster still has them inverted.
     */
    private static BufferedImage pilCmyk(Raster raster, boolean inverted) {
        if (raster.getNumBands() != 4) {
            throw new InvalidInstanceException("the JPEG has " + raster.getNumBands() + " colour components this server does not convert");
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[4 * w];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, px);
            for (int x = 0; x < w; x++) {
                if (inverted) {
                    for (int c = 0; c < 4; c++) {
                        px[4 * x + c] = 255 - px[4 * x + c];
                    }
                }
                int nk = 255 - px[4 * x + 3];
                row[x] = (level(px[4 * x], nk) << 16) | (level(px[4 * x + 1], nk) << 8) | level(px[4 * x + 2], nk);
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    /** Whether the JPEG has Adobe's APP14 marker ("Adobe" in an FF EE segment before the image data). */
    private static boolean adobe(byte[] b) {
        int i = 2;
        while (i + 9 < b.length && (b[i] & 0xff) == 0xff) {
            int marker = b[i + 1] & 0xff;
            int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            if (marker == 0xee && b[i + 4] == 'A' && b[i + 5] == 'd' && b[i + 6] == 'o' && b[i + 7] == 'b' && b[i + 8] == 'e') {
                return true;
            }
            if (marker == 0xda) {
                return false;
            }
            i += 2 + length;
        }
        return false;
    }

    /** Pillow's CLIP8(nk - MULDIV255(c, nk)). */
    private static int level(int c, int nk) {
        int t = c * nk + 128;
        return Math.max(0, Math.min(255, nk - (((t >> 8) + t) >> 8)));
    }

    private static void checkSize(ImageReader reader, long maxPixels) throws IOException {
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels <= 0 || pixels > maxPixels) {
            throw new InvalidInstanceException("the image is " + reader.getWidth(0) + "x" + reader.getHeight(0) + " pixels; at most "
                    + maxPixels + " are decoded (the handler's max_pixels)");
        }
    }

    /** Gray levels copied to R, G and B; everything else through Java's conversion to sRGB, alpha dropped. */
    private static BufferedImage rgb(BufferedImage image) {
        Raster raster = image.getRaster();
        boolean gray = image.getColorModel().getNumColorComponents() == 1 && image.getColorModel().getColorSpace().getType()
                == java.awt.color.ColorSpace.TYPE_GRAY;
        if (!gray) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int bits = image.getColorModel().getComponentSize(0);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int v = bits == 8 ? row[x] : row[x] >> (bits - 8);
                row[x] = (v << 16) | (v << 8) | v;
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }
}
