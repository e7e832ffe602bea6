package dev.seraphim.inference.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One tensor as bytes in native order, row-major, ready for libtorch to read without another conversion.
 * Request tensors hold a direct buffer (libtorch reads it in place); result tensors hold what the engine
 * copied out of libtorch before the batch's native scope closed.
 */
public final class TensorData {
    private final String name;
    private final DataType dataType;
    private final long[] shape;
    private final ByteBuffer data;

    public TensorData(String name, DataType dataType, long[] shape, ByteBuffer data) {
        this.name = Objects.requireNonNull(name);
        this.dataType = Objects.requireNonNull(dataType);
        this.shape = shape.clone();
        this.data = data.order(ByteOrder.nativeOrder());
        long expected = Shape.elementCount(shape) * dataType.byteSize();
        if (data.remaining() != expected) {
            throw new InvalidTensorException("tensor '" + name + "' has " + data.remaining() + " bytes of data but shape "
                    + Shape.format(shape) + " of " + dataType + " needs " + expected);
        }
    }

    public String name() {
        return name;
    }

    public DataType dataType() {
        return dataType;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Rows along the first dimension; a scalar counts as one row. */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    public long dim(int i) {
        return shape[i];
    }

    public long elementCount() {
        return Shape.elementCount(shape);
    }

    /** A read-only view positioned at the first byte; callers never move the tensor's own buffer. */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /** The buffer itself, for the engine's zero-copy path. */
    public ByteBuffer buffer() {
        return data;
    }
}
