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
        // a side that keeps its size gets one tap of weight 1.0, which gives every level back unchanged
        Coefficients horizontal = Coefficients.of(w, outW);
        Coefficients vertical = Coefficients.of(h, outH);
        int rowFrom = vertical.min[top];
        int rowTo = vertical.min[top + crop - 1] + vertical.count[top + crop - 1];
        int[][] mid = horizontalPass(image, horizontal, left, rowFrom, rowTo - rowFrom);
        return verticalPass(mid, vertical, top, rowFrom);
    }

    /**
     * PIL's horizontal pass over the input rows the crop reads, only the crop's columns: R, G and B planes of
     * {@code rows × crop} levels. One input row at a time, its three channels read once.
     */
    private int[][] horizontalPass(BufferedImage image, Coefficients horizontal, int left, int rowFrom, int rows) {
        int[][] mid = new int[3][rows * crop];
        Rows in = Rows.of(image);
        byte[] data = in.data;
        int pixel = in.pixelStride;
        int[] min = horizontal.min;
        int[] count = horizontal.count;
        int[] weights = horizontal.weights;
        int stride = horizontal.stride;
        int[] midR = mid[0];
        int[] midG = mid[1];
        int[] midB = mid[2];
        for (int y = 0; y < rows; y++) {
            int start = in.start(rowFrom + y);
            int br = start + in.red;
            int bg = start + in.green;
            int bb = start + in.blue;
            int at = y * crop;
            for (int x = 0; x < crop; x++) {
                int ox = left + x;
                int from = min[ox] * pixel;
                int k0 = ox * stride;
                int n = count[ox];
                int sr = 1 << (PRECISION_BITS - 1);
                int sg = sr;
                int sb = sr;
                for (int k = 0; k < n; k++) {
                    int weight = weights[k0 + k];
                    int p = from + k * pixel;
                    sr += (data[br + p] & 0xff) * weight;
                    sg += (data[bg + p] & 0xff) * weight;
                    sb += (data[bb + p] & 0xff) * weight;
                }
                midR[at + x] = clip8(sr);
                midG[at + x] = clip8(sg);
                midB[at + x] = clip8(sb);
            }
        }
        return mid;
    }

    /**
     * PIL's vertical pass, only the crop's rows, a whole output row per tap (a loop the JIT vectorises); then luma,
     * layout and normalisation.
     */
    private float[] verticalPass(int[][] mid, Coefficients vertical, int top, int rowFrom) {
        int plane = crop * crop;
        int channels = channels();
        float[] out = new float[channels * plane];
        int[][] acc = new int[3][crop];
        int[][] level = new int[3][crop];
        for (int y = 0; y < crop; y++) {
            int oy = top + y;
            int from = vertical.min[oy] - rowFrom;
            int k0 = oy * vertical.stride;
            int n = vertical.count[oy];
            for (int c = 0; c < 3; c++) {
                int[] sum = acc[c];
                int[] src = mid[c];
                java.util.Arrays.fill(sum, 1 << (PRECISION_BITS - 1));
                for (int k = 0; k < n; k++) {
                    int weight = vertical.weights[k0 + k];
                    int base = (from + k) * crop;
                    for (int x = 0; x < crop; x++) {
                        sum[x] += src[base + x] * weight;
                    }
                }
                int[] l = level[c];
                for (int x = 0; x < crop; x++) {
                    l[x] = clip8(sum[x]);
                }
            }
            if (grayscale) {
                int[] lr = level[0];
                int[] lg = level[1];
                int[] lb = level[2];
                for (int x = 0; x < crop; x++) {
                    // PIL's L = R * 299/1000 + G * 587/1000 + B * 114/1000, in its 16-bit fixed point, rounded
                    lr[x] = (lr[x] * 19595 + lg[x] * 38470 + lb[x] * 7471 + 0x8000) >> 16;
                }
            }
            int row = y * crop;
            for (int c = 0; c < channels; c++) {
                int[] l = level[c];
                float m = mean[c];
                float sd = std[c];
                if (channelsLast) {
                    for (int x = 0; x < crop; x++) {
                        out[(row + x) * channels + c] = (l[x] / 255f - m) / sd;
                    }
                } else {
                    int base = c * plane + row;
                    for (int x = 0; x < crop; x++) {
                        out[base + x] = (l[x] / 255f - m) / sd;
                    }
                }
            }
        }
        return out;
    }

    /**
     * An RGB image's rows as interleaved 8-bit levels: the decoder's own bytes where its layout allows (no copy, no
     * colour conversion), else one row at a time copied into a buffer of R, G, B.
     */
    private static final class Rows {
        final byte[] data;
        final int pixelStride;
        final int red;
        final int green;
        final int blue;
        private final java.util.function.IntUnaryOperator start;

        private Rows(byte[] data, int pixelStride, int red, int green, int blue, java.util.function.IntUnaryOperator start) {
            this.data = data;
            this.pixelStride = pixelStride;
            this.red = red;
            this.green = green;
            this.blue = blue;
            this.start = start;
        }

        /** Where row {@code y}'s first pixel starts in {@link #data} (after filling it, for a copied row). */
        int start(int y) {
            return start.applyAsInt(y);
        }

        static Rows of(BufferedImage image) {
            int w = image.getWidth();
            java.awt.image.Raster raster = image.getRaster();
            if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && raster.getDataBuffer() instanceof java.awt.image.DataBufferByte buffer
                    && raster.getSampleModel() instanceof java.awt.image.ComponentSampleModel layout && buffer.getNumBanks() == 1) {
                int[] band = layout.getBandOffsets();
                int dx = -raster.getSampleModelTranslateX();
                int dy = -raster.getSampleModelTranslateY();
                int offset = buffer.getOffset();
                // getOffset(x, y) is the pixel's first band's offset: back to the pixel's own start
                return new Rows(buffer.getData(), layout.getPixelStride(), band[0], band[1], band[2],
                        y -> layout.getOffset(dx, dy + y) - band[0] + offset);
            }
            byte[] row = new byte[3 * w];
            int[] argb = new int[w];
            return new Rows(row, 3, 0, 1, 2, y -> {
                image.getRGB(0, y, w, 1, argb, 0, w);
                for (int x = 0; x < w; x++) {
                    row[3 * x] = (byte) (argb[x] >> 16);
                    row[3 * x + 1] = (byte) (argb[x] >> 8);
                    row[3 * x + 2] = (byte) argb[x];
                }
                return 0;
            });
        }
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
