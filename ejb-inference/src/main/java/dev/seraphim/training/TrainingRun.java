package dev.seraphim.training;

import dev.seraphim.inference.engine.IntraOpLane;
import dev.seraphim.inference.engine.IntraOpThreads;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.parameter_iterator;
import org.bytedeco.pytorch.parameter_list;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import java.util.concurrent.ThreadFactory;

/**
 * Fine-tuning of one TorchScript module with libtorch's autograd: the module in train mode, cross-entropy on its
 * class scores, Adam over its parameters, shuffled mini-batches. It owns the module and the optimizer; every
 * tensor of a mini-batch lives in that mini-batch's PointerScope.
 */
public final class TrainingRun implements AutoCloseable {
    /** Adam's learning rate and the rows of each shuffled mini-batch. */
    public record Hyperparameters(double learningRate, int batchSize) {
    }

    public record Epoch(int epoch, double loss, double trainAccuracy) {
    }

    private final JitModule module;
    private final TensorVector parameters;
    private final Adam optimizer;
    private final TrainingSet data;
    private final Hyperparameters settings;
    private final int intraOpThreads;
    private final ThreadFactory threads;

    private TrainingRun(JitModule module, TensorVector parameters, Adam optimizer, TrainingSet data, Hyperparameters settings,
                        int intraOpThreads, ThreadFactory threads) {
        this.module = module;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.data = data;
        this.settings = settings;
        this.intraOpThreads = intraOpThreads;
        this.threads = threads;
    }

    /**
     * Starts from a module file: the base version, or the last checkpoint after a restart. Each epoch runs with
     * {@code intraOpThreads} (the server's seraphim.inference.threads) on a thread of its own from {@code threads},
     * which ends with the epoch: a pooled thread would keep its OpenMP team and slow every forward ({@link IntraOpLane}).
     */
    public static TrainingRun start(Path moduleFile, TrainingSet data, Hyperparameters settings, int intraOpThreads,
                             ThreadFactory threads) {
        JitModule module;
        try (BytePointer path = new BytePointer(moduleFile.toString())) {
            module = torch.load(path);
        }
        module.train(true);
        TensorVector parameters = new TensorVector();
        parameter_list list = module.parameters(true);
        for (parameter_iterator it = list.begin(); it.notEquals(list.end()); it.increment()) {
            Tensor p = it.access();
            if (p.requires_grad()) {
                parameters.push_back(p);
            }
        }
        if (parameters.size() == 0) {
            module.close();
            throw new IllegalStateException("the module has no trainable parameters (was it saved frozen?)");
        }
        return new TrainingRun(module, parameters, new Adam(parameters, new AdamOptions(settings.learningRate())), data, settings,
                intraOpThreads, threads);
    }

    public Epoch epoch(int epoch) {
        return IntraOpLane.once(threads, intraOpThreads, () -> train(epoch));
    }

    private Epoch train(int epoch) {
        IntraOpThreads.use(intraOpThreads);
        long[] order = shuffled(data.rows, epoch);
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < order.length; start += settings.batchSize()) {
            try (PointerScope scope = new PointerScope()) {
                int end = Math.min(order.length, start + settings.batchSize());
                Tensor index = torch.from_blob(new LongPointer(java.util.Arrays.copyOfRange(order, start, end)), new long[]{end - start},
                        new TensorOptions(torch.ScalarType.Long));
                Tensor x = data.inputs.index_select(0, index);
                Tensor y = data.labels.index_select(0, index);
                optimizer.zero_grad();
                IValueVector args = new IValueVector();
                args.push_back(new IValue(x));
                Tensor logits = module.forward(args).toTensor();
                Tensor loss = torch.cross_entropy_loss(logits, y);
                loss.backward();
                optimizer.step();
                lossSum += loss.item_double() * (end - start);
                try (NoGradGuard noGrad = new NoGradGuard()) {
                    correct += logits.argmax(new LongOptional(1), false).eq(y).sum().item_long();
                }
            }
        }
        return new Epoch(epoch, lossSum / data.rows, (double) correct / data.rows);
    }

    /** Writes the module beside its final name and renames it, so a checkpoint file is always whole. */
    public void save(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BytePointer path = new BytePointer(tmp.toString())) {
            module.save(path);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static long[] shuffled(int n, int epoch) {
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(31L * epoch + 17);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    @Override
    public void close() {
        optimizer.close();
        parameters.close();
        module.close();
    }
}
