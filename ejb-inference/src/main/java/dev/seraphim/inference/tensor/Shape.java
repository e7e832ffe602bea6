package dev.seraphim.inference.tensor;

import java.util.Arrays;

/** Helpers over tensor shapes given as {@code long[]}, where a signature may use -1 for a variable dimension. */
public final class Shape {
    private Shape() {
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new InvalidTensorException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new InvalidTensorException("shape " + Arrays.toString(shape) + " has more elements than any tensor can hold");
            }
        }
        return n;
    }

    /** The shape without its first (batch) dimension, which is what must agree for two requests to share a batch. */
    public static long[] rowShape(long[] shape) {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    public static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
