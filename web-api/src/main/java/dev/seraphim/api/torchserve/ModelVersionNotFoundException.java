package dev.seraphim.api.torchserve;

import dev.seraphim.inference.ModelNotFoundException;

/** A model that exists without the version asked for: TorchServe names this case apart from an unknown model. */
class ModelVersionNotFoundException extends ModelNotFoundException {
    ModelVersionNotFoundException(String message) {
        super(message);
    }
}
