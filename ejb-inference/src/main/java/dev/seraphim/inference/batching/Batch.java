package dev.seraphim.inference.batching;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.Float16;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Requests gathered to run as one forward: their rows are copied once into one tensor per input (padded along
 * the last dimension where the model declares a padding value), and each output is sliced back into every
 * caller's own rows without copying.
 */
final class Batch {
    final List<PendingInference> members;
    final long rows;

    Batch(List<PendingInference> members) {
        this.members = List.copyOf(members);
        this.rows = members.stream().mapToLong(m -> m.rows).sum();
    }

    static boolean padsLastDim(TensorSpec spec, TensorData tensor) {
        long[] shape = spec.shape();
        return spec.padded() && tensor.rank() >= 2 && shape[shape.length - 1] < 0;
    }

    List<TensorData> inputs(List<TensorSpec> specs) {
        if (members.size() == 1) {
            return members.get(0).inputs;
        }
        List<TensorData> combined = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            combined.add(combine(i, specs.get(i)));
        }
        return combined;
    }

    private TensorData combine(int input, TensorSpec spec) {
        TensorData first = members.get(0).inputs.get(input);
        long[] shape = first.shape();
        shape[0] = rows;
        boolean pad = padsLastDim(spec, first);
        int last = shape.length - 1;
        if (pad) {
            shape[last] = members.stream().mapToLong(m -> m.inputs.get(input).dim(last)).max().orElseThrow();
        }
        DataType type = first.dataType();
        long bytes = Math.multiplyExact(dev.seraphim.inference.tensor.Shape.elementCount(shape), (long) type.byteSize());
        if (bytes > Integer.MAX_VALUE) {
            throw new InvalidTensorException("batch input '" + spec.name() + "' would exceed 2 GiB");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        for (PendingInference member : members) {
            TensorData t = member.inputs.get(input);
            ByteBuffer src = t.data();
            if (!pad || t.dim(last) == shape[last]) {
                out.put(src);
                continue;
            }
            int segment = (int) (t.dim(last) * type.byteSize());
            int padBytes = (int) ((shape[last] - t.dim(last)) * type.byteSize());
            long segments = t.elementCount() / Math.max(1, t.dim(last));
            byte[] fill = paddingBytes(type, spec.paddingValue(), padBytes);
            for (long s = 0; s < segments; s++) {
                ByteBuffer row = src.slice(src.position(), segment);
                out.put(row);
                src.position(src.position() + segment);
                out.put(fill);
            }
        }
        out.flip();
        return new TensorData(spec.name(), type, shape, out);
    }

    private static byte[] paddingBytes(DataType type, double value, int bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.nativeOrder());
        while (b.hasRemaining()) {
            switch (type) {
                case FP64 -> b.putDouble(value);
                case FP32 -> b.putFloat((float) value);
                case INT64, UINT64 -> b.putLong((long) value);
                case INT32, UINT32 -> b.putInt((int) value);
                case INT16, UINT16, FP16 -> b.putShort(type == DataType.FP16 ? Float16.fromFloat((float) value) : (short) value);
                default -> b.put((byte) value);
            }
        }
        return b.array();
    }

    /** Each member's own rows of every output; fails if an output does not have one row per input row. */
    List<List<TensorData>> split(List<TensorData> outputs) {
        List<List<TensorData>> perMember = new ArrayList<>(members.size());
        if (members.size() == 1) {
            perMember.add(outputs);
            return perMember;
        }
        for (TensorData output : outputs) {
            if (output.rank() == 0 || output.dim(0) != rows) {
                throw new IllegalStateException("output '" + output.name() + "' has shape " + java.util.Arrays.toString(output.shape())
                        + ", not one row per input row (" + rows + ")");
            }
        }
        long offset = 0;
        for (PendingInference member : members) {
            List<TensorData> mine = new ArrayList<>(outputs.size());
            for (TensorData output : outputs) {
                long rowBytes = output.buffer().remaining() / rows;
                ByteBuffer slice = output.buffer().slice((int) (offset * rowBytes), (int) (member.rows * rowBytes));
                long[] shape = output.shape();
                shape[0] = member.rows;
                mine.add(new TensorData(output.name(), output.dataType(), shape, slice));
            }
            perMember.add(mine);
            offset += member.rows;
        }
        return perMember;
    }
}
