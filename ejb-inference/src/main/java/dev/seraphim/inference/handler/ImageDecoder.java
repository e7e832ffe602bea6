package dev.seraphim.inference.handler;

import dev.seraphim.inference.tensor.InvalidTensorException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Encoded images (JPEG, PNG, BMP, GIF's first frame) to RGB as PIL's {@code convert("RGB")} gives it: alpha dropped,
 * a palette looked up, a gray level copied to the three channels (not gamma-converted, as Java's sRGB conversion of
 * a gray image would). The header's size is read first and an image over {@code maxPixels} is refused before its
 * pixels are decoded (a decompression bomb).
 */
public final class ImageDecoder {
    private ImageDecoder() {
    }

    public static BufferedImage decode(byte[] encoded, long maxPixels) {
        if (encoded.length == 0) {
            throw new InvalidTensorException("the image is empty");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidTensorException("the body is not an image this server decodes (JPEG, PNG, BMP or GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels <= 0 || pixels > maxPixels) {
                    throw new InvalidTensorException("the image is " + reader.getWidth(0) + "x" + reader.getHeight(0) + " pixels; at most "
                            + maxPixels + " are decoded (seraphim.handler.image.max.pixels)");
                }
                java.util.List<String> warnings = new java.util.ArrayList<>();
                // a truncated JPEG decodes with a warning ("Premature end of JPEG file") and grey rows: refused, not guessed
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new InvalidTensorException("the image could not be decoded (" + warnings.get(0)
                            + "); send a complete JPEG, PNG, BMP or GIF");
                }
                return rgb(image);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidTensorException i) {
                throw i;
            }
            throw new InvalidTensorException("the image could not be decoded (" + e.getClass().getSimpleName().replace("Exception", "")
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); send a complete JPEG, PNG, BMP or GIF");
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
