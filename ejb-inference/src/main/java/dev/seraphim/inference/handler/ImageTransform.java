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
     * {@code grayscale}.
     */
    public float[] apply(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        int[] size = resizedSize(w, h);
        int[] resized = resample(rgb, w, h, size[0], size[1]);
        return cropAndNormalize(resized, size[0], size[1]);
    }

    /** torchvision's output size: the shorter side becomes {@code resize}, the longer keeps the ratio, truncated. */
    int[] resizedSize(int w, int h) {
        if (w <= h) {
            return new int[]{resize, (int) ((long) resize * h / w)};
        }
        return new int[]{(int) ((long) resize * w / h), resize};
    }

    private float[] cropAndNormalize(int[] rgb, int w, int h) {
        if (w < crop || h < crop) {
            throw new IllegalArgumentException("the resized image " + w + "x" + h + " is smaller than the crop " + crop);
        }
        // Python's round: half to even, as torchvision's int(round((h - crop) / 2.0))
        int top = (int) Math.rint((h - crop) / 2.0);
        int left = (int) Math.rint((w - crop) / 2.0);
        int plane = crop * crop;
        int channels = channels();
        float[] out = new float[channels * plane];
        int[] level = new int[3];
        for (int y = 0; y < crop; y++) {
            for (int x = 0; x < crop; x++) {
                int p = rgb[(top + y) * w + left + x];
                level[0] = (p >> 16) & 0xff;
                level[1] = (p >> 8) & 0xff;
                level[2] = p & 0xff;
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

    /** PIL's ImagingResample for an RGB image with the bilinear filter: horizontal pass, then vertical. */
    static int[] resample(int[] in, int w, int h, int outW, int outH) {
        int[] horizontal = w == outW ? in : pass(in, w, h, outW, true);
        return h == outH ? horizontal : pass(horizontal, outW, h, outH, false);
    }

    private static int[] pass(int[] in, int w, int h, int outSize, boolean horizontal) {
        int inSize = horizontal ? w : h;
        Coefficients c = Coefficients.of(inSize, outSize);
        int outW = horizontal ? outSize : w;
        int outH = horizontal ? h : outSize;
        int[] out = new int[outW * outH];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int o = horizontal ? x : y;
                int min = c.min[o];
                long r = 1L << (PRECISION_BITS - 1);
                long g = r;
                long b = r;
                for (int k = 0; k < c.count[o]; k++) {
                    int p = horizontal ? in[y * w + min + k] : in[(min + k) * w + x];
                    long weight = c.weights[o * c.stride + k];
                    r += ((p >> 16) & 0xff) * weight;
                    g += ((p >> 8) & 0xff) * weight;
                    b += (p & 0xff) * weight;
                }
                out[y * outW + x] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
        return out;
    }

    private static int clip8(long v) {
        long shifted = v >> PRECISION_BITS;
        return (int) Math.max(0, Math.min(255, shifted));
    }

    /** Resample.c's precompute_coeffs and normalize_coeffs_8bpc for the triangle (bilinear) filter of support 1. */
    private record Coefficients(int[] min, int[] count, long[] weights, int stride) {
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] min = new int[outSize];
            int[] count = new int[outSize];
            long[] weights = new long[outSize * stride];
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
                    weights[xx * stride + x] = v < 0 ? (long) (-0.5 + v * (1 << PRECISION_BITS)) : (long) (0.5 + v * (1 << PRECISION_BITS));
                }
                min[xx] = xmin;
                count[xx] = xmax;
            }
            return new Coefficients(min, count, weights, stride);
        }
    }
}
