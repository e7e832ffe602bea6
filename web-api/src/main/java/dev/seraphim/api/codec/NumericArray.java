package dev.seraphim.api.codec;

/**
 * A JSON array of numbers or booleans (nested or flat), kept as its span of the request bytes until the
 * datatype it must become is known; {@link TensorDecoder} then parses it straight into a tensor buffer.
 */
public record NumericArray(byte[] source, int start, int end) {

    /** The elements as longs, for small arrays such as shapes. */
    public long[] toLongs(String what) {
        TensorDecoder.Layout layout = TensorDecoder.layout(this);
        if (layout.shape().length != 1) {
            throw new MalformedJsonException("'" + what + "' must be a flat array of integers");
        }
        long[] values = new long[(int) layout.count()];
        int[] i = {0};
        ArrayTokens.forEachNumber(this, (s, e) -> values[i[0]++] = NumberText.parseLong(source, s, e, what));
        return values;
    }

    @Override
    public String toString() {
        return "NumericArray[" + (end - start) + " bytes]";
    }
}
