package dev.seraphim.inference.engine;

import dev.seraphim.inference.InferenceFailedException;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * One TorchScript module in libtorch, and the only owner of it: loaded once, run by batch workers, closed once
 * when unloaded. Every tensor of a forward lives in that forward's PointerScope; what leaves it is Java memory.
 */
final class LoadedModel implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LoadedModel.class.getName());
    private static final double CHECK_ATOL = 1e-5;
    private static final double CHECK_RTOL = 1e-4;

    private final ModelDescriptor descriptor;
    private final Device device;
    private final String preparation;
    private final AtomicReference<JitModule> module;
    private volatile int intraOpThreads;

    private LoadedModel(ModelDescriptor descriptor, Device device, JitModule module, String preparation, int intraOpThreads) {
        this.descriptor = descriptor;
        this.device = device;
        this.module = new AtomicReference<>(module);
        this.preparation = preparation;
        this.intraOpThreads = intraOpThreads;
    }

    /**
     * torch::jit::load, eval(), then optimize_for_inference (freeze and fold: 180 times faster for the
     * text classifier), or freeze alone where the engine chose it (GraphOptimization). The optimized module is kept
     * only if it answers a sample input like the plain one.
     */
    static LoadedModel load(ModelDescriptor descriptor, Device device, int intraOpThreads, GraphOptimization optimization) {
        IntraOpThreads.use(intraOpThreads);
        JitModule plain;
        try (BytePointer path = new BytePointer(descriptor.file().toString())) {
            plain = torch.load(path);
            plain.to(device);
            plain.eval();
        } catch (RuntimeException e) {
            throw InferenceFailedException.fromNative(e);
        }
        JitModule fast = null;
        String operation = optimization.mode() == GraphOptimization.Mode.FREEZE ? "freeze" : "optimize_for_inference";
        String why;
        try {
            GraphOptimization.Prepared prepared = optimization.prepare(plain);
            fast = prepared.module();
            operation = prepared.operation();
            if (operation.startsWith("freeze:")) {
                LOG.warning("model " + descriptor.name() + " version " + descriptor.version() + ": prepared with " + operation);
            }
            why = sameAnswers(descriptor, device, plain, fast);
        } catch (RuntimeException e) {
            why = operation + " failed: " + e.getMessage().lines().findFirst().orElse("");
        }
        if (why == null) {
            plain.close();
            return new LoadedModel(descriptor, device, fast, operation, intraOpThreads);
        }
        LOG.warning("model " + descriptor.name() + ": keeping the module as loaded (" + why + ")");
        if (fast != null) {
            fast.close();
        }
        return new LoadedModel(descriptor, device, plain, null, intraOpThreads);
    }

    /** null when both modules agree on a sample input, else why they do not. */
    private static String sameAnswers(ModelDescriptor d, Device device, JitModule plain, JitModule fast) {
        try (PointerScope scope = new PointerScope(); InferenceMode guard = new InferenceMode()) {
            List<TensorData> sample = SampleInput.of(d.inputs());
            List<Tensor> a = outputs(plain.forward(arguments(sample, device)));
            List<Tensor> b = outputs(fast.forward(arguments(sample, device)));
            if (a.size() != b.size()) {
                return "the optimized module returned " + b.size() + " outputs instead of " + a.size();
            }
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).allclose(b.get(i), CHECK_RTOL, CHECK_ATOL, true)) {
                    return "the optimized module's output " + i + " differs from the plain module's";
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "the sample input could not be checked: " + e.getMessage().lines().reduce((x, y) -> y).orElse("");
        }
    }

    List<TensorData> forward(List<TensorData> inputs) {
        JitModule m = module.get();
        if (m == null) {
            throw new IllegalStateException("model " + descriptor.name() + " has been closed");
        }
        IntraOpThreads.use(intraOpThreads);
        try (PointerScope scope = new PointerScope(); InferenceMode guard = new InferenceMode()) {
            List<Tensor> results = outputs(m.forward(arguments(inputs, device)));
            List<TensorData> out = new ArrayList<>(results.size());
            for (int i = 0; i < results.size(); i++) {
                String name = i < descriptor.outputs().size() ? descriptor.outputs().get(i).name() : "output__" + i;
                out.add(copyOut(name, results.get(i)));
            }
            return out;
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw e;
            }
            throw InferenceFailedException.fromNative(e);
        }
    }

    static IValueVector arguments(List<TensorData> inputs, Device device) {
        IValueVector args = new IValueVector();
        for (TensorData input : inputs) {
            ByteBuffer buffer = input.buffer();
            Tensor t = torch.from_blob(new Pointer(buffer), input.shape(), new TensorOptions(TorchTypes.scalarType(input.dataType())));
            if (!device.is_cpu()) {
                t = t.to(device, TorchTypes.scalarType(input.dataType()));
            }
            args.push_back(new IValue(t));
        }
        return args;
    }

    static List<Tensor> outputs(IValue value) {
        List<Tensor> tensors = new ArrayList<>();
        if (value.isTensor()) {
            tensors.add(value.toTensor());
        } else if (value.isTuple()) {
            var elements = value.toTuple().elements();
            for (long i = 0; i < elements.size(); i++) {
                tensors.add(elements.get(i).toTensor());
            }
        } else if (value.isTensorList()) {
            TensorVector list = value.toTensorVector();
            for (long i = 0; i < list.size(); i++) {
                tensors.add(list.get(i));
            }
        } else {
            throw new IllegalStateException("the model returned a value that is not a tensor, tuple or list of tensors");
        }
        return tensors;
    }

    private static TensorData copyOut(String name, Tensor tensor) {
        Tensor t = tensor.is_cuda() ? tensor.cpu() : tensor;
        t = t.contiguous();
        DataType type = TorchTypes.dataType(t.scalar_type());
        var sizes = t.sizes();
        long[] shape = new long[(int) sizes.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = sizes.at(i);
        }
        long bytes = t.nbytes();
        ByteBuffer copy = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        if (bytes > 0) {
            copy.put(new BytePointer(t.data_ptr()).capacity(bytes).asByteBuffer());
        }
        copy.flip();
        return new TensorData(name, type, shape, copy);
    }

    ModelDescriptor descriptor() {
        return descriptor;
    }

    boolean optimized() {
        return preparation != null;
    }

    /** The libtorch call that prepared the served module (GraphOptimization.Prepared), or "as loaded". */
    String preparation() {
        return preparation == null ? "as loaded" : preparation;
    }

    int intraOpThreads() {
        return intraOpThreads;
    }

    /** From the next forward on. */
    void intraOpThreads(int threads) {
        this.intraOpThreads = threads;
    }

    String device() {
        return device.str().getString();
    }

    @Override
    public void close() {
        JitModule m = module.getAndSet(null);
        if (m != null) {
            m.close();
        }
    }

    /** The signature's inputs filled with small valid values (ones for integers), two rows, variable dims as 8. */
    static final class SampleInput {
        private SampleInput() {
        }

        static List<TensorData> of(List<TensorSpec> specs) {
            List<TensorData> sample = new ArrayList<>();
            for (TensorSpec spec : specs) {
                long[] shape = spec.shape();
                for (int i = 0; i < shape.length; i++) {
                    if (shape[i] < 0) {
                        shape[i] = i == 0 ? 2 : 8;
                    }
                }
                long n = dev.seraphim.inference.tensor.Shape.elementCount(shape);
                ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(n * spec.dataType().byteSize())).order(ByteOrder.nativeOrder());
                for (long i = 0; i < n; i++) {
                    double v = spec.dataType().isFloatingPoint() ? Math.sin(i * 0.37) : 1;
                    switch (spec.dataType()) {
                        case FP64 -> b.putDouble(v);
                        case FP32 -> b.putFloat((float) v);
                        case FP16 -> b.putShort(dev.seraphim.inference.tensor.Float16.fromFloat((float) v));
                        case INT64, UINT64 -> b.putLong((long) v);
                        case INT32, UINT32 -> b.putInt((int) v);
                        case INT16, UINT16 -> b.putShort((short) v);
                        default -> b.put((byte) v);
                    }
                }
                b.flip();
                sample.add(new TensorData(spec.name(), spec.dataType(), shape, b));
            }
            return sample;
        }
    }
}
