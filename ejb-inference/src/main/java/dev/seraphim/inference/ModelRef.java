package dev.seraphim.inference;

import dev.seraphim.inference.model.ModelDescriptors;

import java.util.Optional;

/**
 * The model a request names, and the version if it names one; without a version the server chooses (the
 * default version today; the traffic policy's choice once models have one).
 */
public record ModelRef(String name, Optional<String> version) {
    public ModelRef {
        // a name outside the pattern can never be registered: say so, rather than "not found" for "../x"
        if (name == null || !ModelDescriptors.MODEL_NAME.matcher(name).matches()) {
            throw new InvalidModelReferenceException("a model name must match " + ModelDescriptors.MODEL_NAME.pattern());
        }
        version = version.filter(v -> !v.isEmpty());
        if (version.isPresent() && !ModelDescriptors.VERSION.matcher(version.get()).matches()) {
            throw new InvalidModelReferenceException("a model version must match " + ModelDescriptors.VERSION.pattern());
        }
    }

    public static ModelRef of(String name, Optional<String> version) {
        return new ModelRef(name, version);
    }

    /** A name or version that no model can have. */
    public static final class InvalidModelReferenceException extends RuntimeException implements dev.seraphim.failure.Failure {
        InvalidModelReferenceException(String message) {
            super(message);
        }

        @Override
        public dev.seraphim.failure.FailureKind kind() {
            return dev.seraphim.failure.FailureKind.INVALID;
        }
    }
}
