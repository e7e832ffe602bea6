package dev.seraphim.inference.handler;

import java.awt.image.BufferedImage;

/**
 * torchvision's ImageNet preprocessing of a PIL image, reproduced: {@code Resize(resize)} on the shorter side with
 * PIL's bilinear filter (antialiased when it shrinks), {@code CenterCrop(crop)}, {@code ToTensor}, {@code
 * Normalize(mean, std)}. The resize is PIL's own algorithm (Resample.c): a triangle filter widened by the scale,
 * coefficients in 22-bit fixed point, the horizontal pass rounded to 8 bits before the vertical one, so that the
 * tensor matches torchvision's to a level of the 8-bit image rather than to an approximation of it.
 */
public record ImageTransform(int resize, int crop, float[] mean, float[] std, boolean grayscale, boolean channelsLast) {
    public static final ImageTransform IMAGENET = new ImageTransform(256, 224,
            new float[]{0.485f, 0.456f, 0.406f}, new float[]{0.229f, 0.224f, 0.225f}, false, false);

    public ImageTransform(int resize, int crop, float[] mean, float[] std) {
        this(resize, crop, mean, std, false, false);
    }

    public int channels() {
        return grayscale ? 1 : 3;
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    /**
     * The image (already RGB) as the model's input: channels × crop × crop floats, channel-major (crop × crop ×
     * channels with {@code channelsLast}); one channel of PIL's luma ({@code convert("L")}) after the crop when
     * {@code grayscale}. Only the pixels the crop keeps are resampled, as PIL itself resamples only the rows its
     * vertical pass reads: each output pixel depends on its own coefficients alone, so the result is the same.
     */
    public float[] apply(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] size = resizedSize(w, h);
        int outW = size[0];
        int outH = size[1];
        if (outW < crop || outH < crop) {
            throw new IllegalArgumentException("the resized image " + outW + "x" + outH + " is smaller than the crop " + crop);
        }
        // Python's round: half to even, as torchvision's int(round((h - crop) / 2.0))
        int top = (int) Math.rint((outH - crop) / 2.0);
        int left = (int) Math.rint((outW - crop) / 2.0);
        Coefficients horizontal = outW == w ? null : Coefficients.of(w, outW);
        Coefficients vertical = outH == h ? null : Coefficients.of(h, outH);
        int rowFrom = vertical == null ? top : vertical.min[top];
        int rowTo = vertical == null ? top + crop : vertical.min[top + crop - 1] + vertical.count[top + crop - 1];
        int rows = rowTo - rowFrom;
        // the input rows the crop reads, as three planes of levels
        int[][] in = planes(image, rowFrom, rows);
        // horizontal pass over those rows, only the crop's columns
        int[][] mid = new int[3][rows * crop];
        for (int c = 0; c < 3; c++) {
            int[] src = in[c];
            int[] dst = mid[c];
            for (int y = 0; y < rows; y++) {
                int base = y * w;
                for (int x = 0; x < crop; x++) {
                    int ox = left + x;
                    if (horizontal == null) {
                        dst[y * crop + x] = src[base + ox];
                        continue;
                    }
                    int min = horizontal.min[ox];
                    int k0 = ox * horizontal.stride;
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < horizontal.count[ox]; k++) {
                        sum += src[base + min + k] * horizontal.weights[k0 + k];
                    }
                    dst[y * crop + x] = clip8(sum);
                }
            }
        }
        // vertical pass, only the crop's rows; then luma, layout and normalisation
        int plane = crop * crop;
        int channels = channels();
        float[] out = new float[channels * plane];
        int[] level = new int[3];
        for (int y = 0; y < crop; y++) {
            int oy = top + y;
            for (int x = 0; x < crop; x++) {
                for (int c = 0; c < 3; c++) {
                    if (vertical == null) {
                        level[c] = mid[c][(oy - rowFrom) * crop + x];
                        continue;
                    }
                    int min = vertical.min[oy] - rowFrom;
                    int k0 = oy * vertical.stride;
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < vertical.count[oy]; k++) {
                        sum += mid[c][(min + k) * crop + x] * vertical.weights[k0 + k];
                    }
                    level[c] = clip8(sum);
                }
                if (grayscale) {
                    // PIL's L = R * 299/1000 + G * 587/1000 + B * 114/1000, in its 16-bit fixed point, rounded
                    level[0] = (level[0] * 19595 + level[1] * 38470 + level[2] * 7471 + 0x8000) >> 16;
                }
                int i = y * crop + x;
                for (int c = 0; c < channels; c++) {
                    out[channelsLast ? i * channels + c : c * plane + i] = (level[c] / 255f - mean[c]) / std[c];
                }
            }
        }
        return out;
    }

    /** Rows {@code from} to {@code from + rows} of an RGB image as R, G and B planes, read without a colour conversion where the layout allows. */
    private static int[][] planes(BufferedImage image, int from, int rows) {
        int w = image.getWidth();
        int[][] p = new int[3][rows * w];
        int type = image.getType();
        java.awt.image.Raster bytes = image.getRaster();
        if (type == BufferedImage.TYPE_3BYTE_BGR && bytes.getDataBuffer() instanceof java.awt.image.DataBufferByte buffer
                && bytes.getSampleModel() instanceof java.awt.image.ComponentSampleModel layout && buffer.getNumBanks() == 1) {
            // the decoder's own bytes (B, G, R interleaved), read where the sample model says they are
            byte[] data = buffer.getData();
            int stride = layout.getPixelStride();
            int[] band = layout.getBandOffsets();
            int dx = -bytes.getSampleModelTranslateX();
            int dy = -bytes.getSampleModelTranslateY();
            for (int y = 0; y < rows; y++) {
                // getOffset(x, y) is the pixel's first band's offset: back to the pixel's own start
                int row = layout.getOffset(dx, dy + from + y) - band[0] + buffer.getOffset();
                for (int x = 0; x < w; x++) {
                    int at = row + x * stride;
                    p[0][y * w + x] = data[at + band[0]] & 0xff;
                    p[1][y * w + x] = data[at + band[1]] & 0xff;
                    p[2][y * w + x] = data[at + band[2]] & 0xff;
                }
            }
            return p;
        }
        if (type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_INT_RGB) {
            java.awt.image.Raster raster = image.getRaster();
            int[] samples = new int[3 * w];
            for (int y = 0; y < rows; y++) {
                raster.getPixels(0, from + y, w, 1, samples);
                for (int x = 0; x < w; x++) {
                    p[0][y * w + x] = samples[3 * x];
                    p[1][y * w + x] = samples[3 * x + 1];
                    p[2][y * w + x] = samples[3 * x + 2];
                }
            }
            return p;
        }
        int[] argb = image.getRGB(0, from, w, rows, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            p[0][i] = (argb[i] >> 16) & 0xff;
            p[1][i] = (argb[i] >> 8) & 0xff;
            p[2][i] = argb[i] & 0xff;
        }
        return p;
    }

    /** torchvision's output size: the shorter side becomes {@code resize}, the longer keeps the ratio, truncated. */
    int[] resizedSize(int w, int h) {
        if (w <= h) {
            return new int[]{resize, (int) ((long) resize * h / w)};
        }
        return new int[]{(int) ((long) resize * w / h), resize};
    }

    private static int clip8(int v) {
        int shifted = v >> PRECISION_BITS;
        return shifted < 0 ? 0 : Math.min(255, shifted);
    }

    /** Resample.c's precompute_coeffs and normalize_coeffs_8bpc for the triangle (bilinear) filter of support 1. */
    private record Coefficients(int[] min, int[] count, int[] weights, int stride) {
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] min = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * stride];
            double[] k = new double[stride];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double sum = 0;
                for (int x = 0; x < xmax; x++) {
                    double t = Math.abs((x + xmin - center + 0.5) * ss);
                    k[x] = t < 1 ? 1 - t : 0;
                    sum += k[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = sum != 0 ? k[x] / sum : k[x];
                    weights[xx * stride + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                min[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(min, count, weights, stride);
        }
    }
}
