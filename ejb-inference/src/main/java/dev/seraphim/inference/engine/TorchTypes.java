package dev.seraphim.inference.engine;

import dev.seraphim.inference.tensor.DataType;
import org.bytedeco.pytorch.global.torch;

/** The mapping between the protocol's datatypes and libtorch's scalar types. */
final class TorchTypes {
    private TorchTypes() {
    }

    static torch.ScalarType scalarType(DataType type) {
        return switch (type) {
            case BOOL -> torch.ScalarType.Bool;
            case UINT8 -> torch.ScalarType.Byte;
            case UINT16 -> torch.ScalarType.UInt16;
            case UINT32 -> torch.ScalarType.UInt32;
            case UINT64 -> torch.ScalarType.UInt64;
            case INT8 -> torch.ScalarType.Char;
            case INT16 -> torch.ScalarType.Short;
            case INT32 -> torch.ScalarType.Int;
            case INT64 -> torch.ScalarType.Long;
            case FP16 -> torch.ScalarType.Half;
            case FP32 -> torch.ScalarType.Float;
            case FP64 -> torch.ScalarType.Double;
        };
    }

    /** By value: enums that come back from native code are not always the same instances. */
    static DataType dataType(torch.ScalarType type) {
        for (DataType t : DataType.values()) {
            if (scalarType(t).value == type.value) {
                return t;
            }
        }
        throw new IllegalStateException("the model returned a tensor of type " + type + ", which the protocol cannot carry");
    }
}
