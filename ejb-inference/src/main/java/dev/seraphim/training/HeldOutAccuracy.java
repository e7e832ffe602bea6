package dev.seraphim.training;

import dev.seraphim.inference.engine.IntraOpLane;
import dev.seraphim.inference.engine.IntraOpThreads;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;

/** The share of held-out rows whose arg-max class is their label, for one module file in eval mode. */
public final class HeldOutAccuracy {
    private HeldOutAccuracy() {
    }

    /** On a thread of its own from {@code threads} when it uses more than one intra-op thread ({@link IntraOpLane}). */
    public static double of(Path moduleFile, TrainingSet heldOut, int intraOpThreads, ThreadFactory threads) {
        return IntraOpLane.once(threads, intraOpThreads, () -> measure(moduleFile, heldOut, intraOpThreads));
    }

    private static double measure(Path moduleFile, TrainingSet heldOut, int intraOpThreads) {
        IntraOpThreads.use(intraOpThreads);
        try (BytePointer path = new BytePointer(moduleFile.toString()); JitModule module = torch.load(path);
             PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            module.eval();
            IValueVector args = new IValueVector();
            args.push_back(new IValue(heldOut.inputs));
            long correct = module.forward(args).toTensor().argmax(new LongOptional(1), false).eq(heldOut.labels).sum().item_long();
            return (double) correct / heldOut.rows;
        }
    }
}
