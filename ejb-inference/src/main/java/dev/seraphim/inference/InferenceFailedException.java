package dev.seraphim.inference;

import dev.seraphim.failure.Failure;
import dev.seraphim.failure.FailureKind;
import jakarta.ejb.ApplicationException;

/**
 * libtorch refused to run the model on this request's data (an index out of range, a size mismatch inside the
 * model). The message is libtorch's own error line, without its TorchScript call stack or file paths.
 */
@ApplicationException
public class InferenceFailedException extends RuntimeException implements Failure {
    public InferenceFailedException(String message) {
        super(message);
    }

    private InferenceFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The last line of a libtorch error that names the error, e.g. "RuntimeError: index out of range in self". */
    public static InferenceFailedException fromNative(Throwable cause) {
        String text = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        String summary = null;
        for (String line : text.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.matches("^[A-Za-z]*(Error|Exception): .*")) {
                summary = trimmed;
            }
        }
        if (summary == null) {
            String first = text.split("\n")[0].trim();
            summary = first.replaceAll("\\(?(/[^\\s:()]+)+(:\\d+)?\\)?", "").trim();
        }
        if (summary.length() > 300) {
            summary = summary.substring(0, 300) + "…";
        }
        return new InferenceFailedException("the model could not run on this input: " + summary, cause);
    }

    @Override
    public FailureKind kind() {
        return FailureKind.INVALID;
    }
}
