package dev.seraphim.api.torchserve;

import dev.seraphim.api.codec.JsonDocument;
import dev.seraphim.api.codec.JsonOutput;
import dev.seraphim.api.codec.Multipart;
import dev.seraphim.api.codec.NumericArray;
import dev.seraphim.api.codec.TensorDecoder;
import dev.seraphim.api.codec.TensorLimits;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.Answer;
import dev.seraphim.api.inference.InferenceStyle;
import dev.seraphim.api.inference.Instances;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.handler.Handler;
import dev.seraphim.inference.handler.Instance;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchServe's predictions body. For a model with a handler: the image or text itself (any or no content type), a
 * JSON record (or a list of them, or {"b64": ...}), or multipart fields {@code data}/{@code file}/{@code body}, several
 * of which are several predictions batched together; answered as TorchServe's handlers answer ({"label":
 * probability} top-k, a list for several). Otherwise, and for JSON tensors to any model: a nested array (a model with
 * one input) or an object of input name to nested array, answered with the output as a nested array (one output) or
 * an object of output name to nested array.
 */
final class TorchServeInference implements InferenceStyle<TorchServeInference.Body> {
    private static final Set<String> FILE_FIELDS = Set.of("data", "file", "body");

    /** The body as sent, split into parts when multipart; {@code instances} set when a handler takes it. */
    static final class Body {
        final byte[] bytes;
        final List<Multipart.Part> parts;
        List<Instance> instances;
        boolean list;

        Body(byte[] bytes, List<Multipart.Part> parts) {
            this.bytes = bytes;
            this.parts = parts;
        }
    }

    private final TensorLimits limits;

    TorchServeInference(TensorLimits limits) {
        this.limits = limits;
    }

    @Override
    public String api() {
        return "torchserve";
    }

    @Override
    public ErrorStyle errors() {
        return ErrorStyle.TORCHSERVE;
    }

    @Override
    public List<String> headers() {
        return List.of("Content-Type");
    }

    @Override
    public Body parse(byte[] body, Map<String, String> headers) {
        String type = headers.get("Content-Type");
        return new Body(body, Multipart.is(type) ? Multipart.parse(body, type) : List.of());
    }

    @Override
    public Decoded decode(Body body, ModelDescriptor signature) {
        if (!body.parts.isEmpty()) {
            List<Multipart.Part> files = body.parts.stream().filter(p -> FILE_FIELDS.contains(p.name())).toList();
            if (files.isEmpty()) {
                throw new ApiError.BadRequestException("the multipart body has no field named data, file or body; send each image or text as one of those");
            }
            if (signature.handler().isEmpty()) {
                if (files.size() > 1) {
                    throw new ApiError.BadRequestException("this model takes JSON tensors: send one field of them, not " + files.size());
                }
                return tensors(files.get(0).content(), signature);
            }
            body.instances = new ArrayList<>();
            for (Multipart.Part p : files) {
                body.instances.add(signature.handler().get().what().equals("record") ? Instances.of(json(p.content()), "field '" + p.name() + "'")
                        : new Instance.Encoded(p.content()));
            }
            body.list = files.size() > 1;
            return new Decoded(signature.handler().get().tensors(body.instances, signature.inputs()));
        }
        if (signature.handler().isEmpty() || looksLikeTensors(body.bytes)) {
            return tensors(body.bytes, signature);
        }
        Handler handler = signature.handler().get();
        if (looksLikeJson(body.bytes) && !handler.what().equals("text")) {
            Object doc = json(body.bytes);
            body.list = doc instanceof List<?>;
            body.instances = new ArrayList<>();
            for (Object v : doc instanceof List<?> l ? l : List.of(doc)) {
                body.instances.add(Instances.of(v, "the " + handler.what()));
            }
        } else {
            body.instances = List.of(new Instance.Encoded(body.bytes));
        }
        return new Decoded(handler.tensors(body.instances, signature.inputs()));
    }

    private Decoded tensors(byte[] bytes, ModelDescriptor signature) {
        Object doc;
        try {
            doc = JsonDocument.parse(bytes);
        } catch (RuntimeException e) {
            throw new ApiError.BadRequestException("this model takes JSON tensors: send a nested array of numbers, or an object of"
                    + " input name to nested array (" + e.getMessage() + ")" + (signature.handler().isPresent() ? "" : "; models"
                    + " registered with a handler take images, text or records (docs/handlers.md)"));
        }
        List<TensorData> inputs = new ArrayList<>();
        List<TensorSpec> specs = signature.inputs();
        if (doc instanceof NumericArray array && specs.size() == 1) {
            inputs.add(TensorDecoder.decode(specs.get(0).name(), array, specs.get(0).dataType(), null, limits));
        } else if (doc instanceof Map<?, ?> named) {
            for (TensorSpec spec : specs) {
                if (!(named.get(spec.name()) instanceof NumericArray array)) {
                    throw new ApiError.BadRequestException("input '" + spec.name() + "' must be a nested array of numbers");
                }
                inputs.add(TensorDecoder.decode(spec.name(), array, spec.dataType(), null, limits));
            }
        } else {
            throw new ApiError.BadRequestException("send a nested array of numbers"
                    + (specs.size() > 1 ? ", as an object of input name to nested array" : ""));
        }
        return new Decoded(inputs);
    }

    @Override
    public Answer encode(InferenceResult result, Body body, ModelDescriptor signature) {
        if (body.instances != null) {
            List<JsonValue> answers = signature.handler().get().answers(result.outputs().get(0));
            if (!body.list) {
                return Answer.json(answers.get(0).toString().getBytes(StandardCharsets.UTF_8));
            }
            JsonArrayBuilder all = Json.createArrayBuilder();
            answers.forEach(all::add);
            return Answer.json(all.build().toString().getBytes(StandardCharsets.UTF_8));
        }
        JsonOutput json = new JsonOutput();
        if (result.outputs().size() == 1) {
            json.nestedData(result.outputs().get(0));
        } else {
            json.raw("{");
            for (int i = 0; i < result.outputs().size(); i++) {
                json.raw(i > 0 ? "," : "").string(result.outputs().get(i).name()).raw(":").nestedData(result.outputs().get(i));
            }
            json.raw("}");
        }
        return Answer.json(json.toByteArray());
    }

    private Object json(byte[] bytes) {
        try {
            return JsonDocument.parse(bytes, bytes.length);
        } catch (RuntimeException e) {
            throw new ApiError.BadRequestException("the body is not valid JSON: " + e.getMessage());
        }
    }

    /** A body of tensors: a nested array, or an object whose first member is one (a record's members are scalars). */
    private static boolean looksLikeTensors(byte[] body) {
        int i = firstNonBlank(body, 0);
        if (i < 0) {
            return false;
        }
        if (body[i] == '[') {
            int j = firstNonBlank(body, i + 1);
            return j >= 0 && (body[j] == '[' || body[j] == '-' || (body[j] >= '0' && body[j] <= '9'));
        }
        if (body[i] != '{') {
            return false;
        }
        int colon = i;
        boolean inString = false;
        for (; colon < body.length; colon++) {
            if (body[colon] == '"' && body[colon - 1] != '\\') {
                inString = !inString;
            } else if (!inString && body[colon] == ':') {
                break;
            }
        }
        int v = firstNonBlank(body, colon + 1);
        return v >= 0 && body[v] == '[';
    }

    /** A JSON body starts with '[' or '{' after blanks; no image format does. */
    private static boolean looksLikeJson(byte[] body) {
        int i = firstNonBlank(body, 0);
        return i >= 0 && (body[i] == '[' || body[i] == '{');
    }

    private static int firstNonBlank(byte[] body, int from) {
        for (int i = from; i < body.length; i++) {
            if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r' && body[i] != '\n') {
                return i;
            }
        }
        return -1;
    }
}
