package dev.seraphim.inference.engine;

import dev.seraphim.inference.InferenceFailedException;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Runs a module on a sample of its declared inputs before it is registered and compares what it returns with the
 * declared outputs. A signature that does not fit the module would otherwise be accepted and every request then
 * refused with libtorch's words, blaming the caller (issue 32, item 3).
 */
final class SignatureProbe {
    private SignatureProbe() {
    }

    /** Empty when the module loads and answers the declared signature, else what the registrant must fix. */
    static Optional<String> mismatch(ModelDescriptor d, Device device, boolean run) {
        JitModule module;
        try (BytePointer path = new BytePointer(d.file().toString())) {
            module = torch.load(path);
        } catch (RuntimeException e) {
            return Optional.of("the file is not a TorchScript model (" + libtorchSays(e) + ")");
        }
        try (module) {
            if (!run) {
                return Optional.empty();
            }
            module.to(device);
            module.eval();
            return answers(d, device, module);
        }
    }

    private static Optional<String> answers(ModelDescriptor d, Device device, JitModule module) {
        List<TensorData> sample = LoadedModel.SampleInput.of(d.inputs());
        try (PointerScope scope = new PointerScope(); InferenceMode guard = new InferenceMode()) {
            List<Tensor> outputs;
            try {
                outputs = LoadedModel.outputs(module.forward(LoadedModel.arguments(sample, device)));
            } catch (RuntimeException e) {
                return Optional.of("the module does not accept the declared inputs: given " + describe(sample)
                        + " as a sample it fails with \"" + libtorchSays(e) + "\"; declare the inputs its forward() takes"
                        + " (or register with \"signature_check\": false if it only accepts particular values)");
            }
            List<TensorSpec> declared = d.outputs();
            if (outputs.size() != declared.size()) {
                return Optional.of("the module returns " + outputs.size() + " output(s) (" + describeTensors(outputs)
                        + ") but " + declared.size() + " are declared");
            }
            for (int i = 0; i < declared.size(); i++) {
                String problem = compare(declared.get(i), outputs.get(i));
                if (problem != null) {
                    return Optional.of(problem + " for the sample input " + describe(sample));
                }
            }
            return Optional.empty();
        }
    }

    private static String compare(TensorSpec spec, Tensor actual) {
        DataType type = TorchTypes.dataType(actual.scalar_type());
        long[] shape = shape(actual);
        boolean fits = type == spec.dataType() && shape.length == spec.shape().length;
        for (int i = 0; fits && i < shape.length; i++) {
            fits = spec.shape()[i] < 0 || spec.shape()[i] == shape[i];
        }
        return fits ? null : "output '" + spec.name() + "' is declared " + spec.dataType() + " " + Arrays.toString(spec.shape())
                + " but the module returns " + type + " " + Arrays.toString(shape);
    }

    private static long[] shape(Tensor t) {
        var sizes = t.sizes();
        long[] shape = new long[(int) sizes.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = sizes.at(i);
        }
        return shape;
    }

    private static String describe(List<TensorData> sample) {
        return sample.stream().map(t -> t.name() + " " + t.dataType() + " " + Arrays.toString(t.shape()))
                .collect(Collectors.joining(", "));
    }

    private static String describeTensors(List<Tensor> tensors) {
        return tensors.stream().map(t -> TorchTypes.dataType(t.scalar_type()) + " " + Arrays.toString(shape(t)))
                .collect(Collectors.joining(", "));
    }

    private static String libtorchSays(RuntimeException e) {
        return InferenceFailedException.fromNative(e).getMessage().replace("the model could not run on this input: ", "");
    }
}
