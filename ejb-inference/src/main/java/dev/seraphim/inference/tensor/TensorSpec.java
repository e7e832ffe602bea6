package dev.seraphim.inference.tensor;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * One input or output of a model's signature: name, datatype and shape, -1 for a variable dimension.
 * An input may declare a padding value, which allows requests of different lengths along its variable
 * dimensions to share a batch (text-classifier: token id 0 is masked).
 */
public record TensorSpec(String name, DataType dataType, long[] shape, Double paddingValue) {

    public TensorSpec {
        shape = shape.clone();
    }

    public OptionalLong fixedDim(int i) {
        return shape[i] < 0 ? OptionalLong.empty() : OptionalLong.of(shape[i]);
    }

    public boolean padded() {
        return paddingValue != null;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Checks a request tensor against this spec; the message says exactly what the caller must change. */
    public void check(TensorData tensor) {
        if (tensor.dataType() != dataType) {
            throw new InvalidTensorException("input '" + name + "' must be " + dataType + ", got " + tensor.dataType());
        }
        long[] actual = tensor.shape();
        if (actual.length != shape.length) {
            throw new InvalidTensorException("input '" + name + "' must have rank " + shape.length + " (shape "
                    + Arrays.toString(shape) + "), got shape " + Arrays.toString(actual));
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && actual[i] != shape[i]) {
                throw new InvalidTensorException("input '" + name + "' dimension " + i + " must be " + shape[i]
                        + " (shape " + Arrays.toString(shape) + "), got shape " + Arrays.toString(actual));
            }
        }
        if (actual.length > 0 && actual[0] == 0) {
            throw new InvalidTensorException("input '" + name + "' has no rows");
        }
    }
}
