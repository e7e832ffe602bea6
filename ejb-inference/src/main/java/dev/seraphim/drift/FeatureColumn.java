package dev.seraphim.drift;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.Float16;
import dev.seraphim.inference.tensor.TensorSpec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One input feature whose distribution is watched: column {@code column} of the model's rank-2 input
 * {@code input} (a tabular model's [rows, features] tensor). Images and token sequences have no such columns.
 */
record FeatureColumn(int input, int column, int width, DataType type, String name) {

    /** The watched columns of a signature: every column of each numeric rank-2 input of fixed width. */
    static List<FeatureColumn> of(List<TensorSpec> inputs, int maxFeatures) {
        List<FeatureColumn> columns = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            TensorSpec spec = inputs.get(i);
            long width = spec.shape().length == 2 ? spec.fixedDim(1).orElse(-1) : -1;
            if (width <= 0 || spec.dataType() == DataType.BOOL || columns.size() + width > maxFeatures) {
                continue;
            }
            for (int c = 0; c < width; c++) {
                columns.add(new FeatureColumn(i, c, (int) width, spec.dataType(), spec.name() + "[" + c + "]"));
            }
        }
        return columns;
    }

    /** The value of this column in row {@code row} of a tensor's native-order buffer. */
    double value(ByteBuffer data, long row) {
        int index = (int) (row * width + column);
        return switch (type) {
            case FP32 -> data.getFloat(index * 4);
            case FP64 -> data.getDouble(index * 8);
            case FP16 -> Float16.toFloat(data.getShort(index * 2));
            case INT8 -> data.get(index);
            case UINT8 -> data.get(index) & 0xff;
            case INT16 -> data.getShort(index * 2);
            case UINT16 -> data.getShort(index * 2) & 0xffff;
            case INT32 -> data.getInt(index * 4);
            case UINT32 -> data.getInt(index * 4) & 0xffffffffL;
            case INT64, UINT64 -> data.getLong(index * 8);
            case BOOL -> data.get(index);
        };
    }
}
