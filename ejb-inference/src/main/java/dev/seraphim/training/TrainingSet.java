package dev.seraphim.training;

import dev.seraphim.feedback.LabelledExample;
import dev.seraphim.inference.engine.IntraOpThreads;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.io.StringReader;
import java.util.List;
import java.util.Optional;

/**
 * Labelled examples as the two tensors training reads: the model's one input, rows stacked, and the labels
 * (int64). The tensors are copies libtorch owns; {@link #close()} frees them.
 */
public final class TrainingSet implements AutoCloseable {
    final Tensor inputs;
    final Tensor labels;
    final int rows;

    private TrainingSet(Tensor inputs, Tensor labels, int rows) {
        this.inputs = inputs;
        this.labels = labels;
        this.rows = rows;
    }

    /** Why the model cannot be fine-tuned here, or empty when it can: one input of fixed row shape, class logits out. */
    public static Optional<String> unsupported(ModelDescriptor d) {
        if (d.inputs().size() != 1) {
            return Optional.of("it has " + d.inputs().size() + " inputs; in-process training takes models with one");
        }
        TensorSpec in = d.inputs().get(0);
        for (int i = 1; i < in.shape().length; i++) {
            if (in.fixedDim(i).isEmpty()) {
                return Optional.of("input '" + in.name() + "' has a variable dimension " + i + "; rows of different shapes cannot be stacked");
            }
        }
        if (!List.of(DataType.FP32, DataType.FP64, DataType.INT32, DataType.INT64).contains(in.dataType())) {
            return Optional.of("input '" + in.name() + "' is " + in.dataType() + "; in-process training reads FP32, FP64, INT32 or INT64");
        }
        TensorSpec out = d.outputs().get(0);
        if (out.shape().length != 2 || out.fixedDim(1).isEmpty()) {
            return Optional.of("output '" + out.name() + "' is not class scores [-1, classes]");
        }
        return Optional.empty();
    }

    public static TrainingSet of(List<LabelledExample> examples, TensorSpec spec) {
        // the copies below run on the job's pooled thread: with one intra-op thread they start no OpenMP team
        // there that would outlive the job (IntraOpLane)
        IntraOpThreads.use(1);
        long[] rowShape = spec.shape().clone();
        long perRow = 1;
        for (int i = 1; i < rowShape.length; i++) {
            perRow *= rowShape[i];
        }
        int n = examples.size();
        double[] values = new double[Math.toIntExact(n * perRow)];
        long[] labels = new long[n];
        for (int r = 0; r < n; r++) {
            LabelledExample e = examples.get(r);
            JsonArray data = tensor(e, spec).getJsonArray("data");
            if (data.size() != perRow) {
                throw new IllegalArgumentException("feedback " + e.id() + " has " + data.size() + " values for input '" + spec.name()
                        + "', the model takes " + perRow + " per row");
            }
            for (int i = 0; i < perRow; i++) {
                JsonValue v = data.get(i);
                values[(int) (r * perRow + i)] = v instanceof JsonNumber num ? num.doubleValue() : Double.NaN;
            }
            labels[r] = e.label();
        }
        rowShape[0] = n;
        Tensor inputs = copy(values, rowShape, spec.dataType());
        Tensor labelTensor;
        try (LongPointer p = new LongPointer(labels)) {
            labelTensor = torch.from_blob(p, new long[]{n}, new TensorOptions(torch.ScalarType.Long)).clone();
        }
        return new TrainingSet(inputs, labelTensor, n);
    }

    private static JsonObject tensor(LabelledExample e, TensorSpec spec) {
        try (JsonReader reader = Json.createReader(new StringReader(e.inputs()))) {
            for (JsonValue v : reader.readArray()) {
                JsonObject t = v.asJsonObject();
                if (spec.name().equals(t.getString("name", null))) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("feedback " + e.id() + " has no input '" + spec.name() + "'");
    }

    private static Tensor copy(double[] values, long[] shape, DataType type) {
        int n = values.length;
        Pointer p = switch (type) {
            case FP32 -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) values[i];
                }
                yield new FloatPointer(f);
            }
            case FP64 -> new DoublePointer(values);
            case INT32 -> {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (int) values[i];
                }
                yield new IntPointer(v);
            }
            default -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (long) values[i];
                }
                yield new LongPointer(v);
            }
        };
        torch.ScalarType scalar = switch (type) {
            case FP32 -> torch.ScalarType.Float;
            case FP64 -> torch.ScalarType.Double;
            case INT32 -> torch.ScalarType.Int;
            default -> torch.ScalarType.Long;
        };
        try (p) {
            return torch.from_blob(p, shape, new TensorOptions(scalar)).clone();
        }
    }

    /** The examples it holds. */
    public int rows() {
        return rows;
    }

    @Override
    public void close() {
        inputs.close();
        labels.close();
    }
}
