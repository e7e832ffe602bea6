package dev.seraphim.inference.tensor;

import java.util.Arrays;
import java.util.Optional;

/** The tensor element types of the Open Inference Protocol, with their size in bytes. BYTES is not supported yet. */
public enum DataType {
    BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8),
    INT8(1), INT16(2), INT32(4), INT64(8),
    FP16(2), FP32(4), FP64(8);

    private final int byteSize;

    DataType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FP16 || this == FP32 || this == FP64;
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    public static Optional<DataType> byName(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equals(name)).findFirst();
    }
}
