package dev.seraphim.api.oip;

import dev.seraphim.api.codec.JsonOutput;
import dev.seraphim.api.codec.TensorLimits;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.inference.Answer;
import dev.seraphim.api.inference.InferenceStyle;
import dev.seraphim.api.inference.Instances;
import dev.seraphim.inference.InferenceResult;
import dev.seraphim.inference.handler.Handler;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.TensorData;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** The Open Inference Protocol's inference body, JSON or with the binary tensor data extension, in and out. */
final class OipInference implements InferenceStyle<OipInferRequest> {
    /** The binary tensor data extension's header: the length of the JSON part of a request or response body. */
    static final String BINARY_HEADER = "Inference-Header-Content-Length";

    private final TensorLimits limits;

    OipInference(TensorLimits limits) {
        this.limits = limits;
    }

    @Override
    public String api() {
        return "oip";
    }

    @Override
    public ErrorStyle errors() {
        return ErrorStyle.OIP;
    }

    @Override
    public List<String> headers() {
        return List.of(BINARY_HEADER);
    }

    @Override
    public OipInferRequest parse(byte[] body, Map<String, String> headers) {
        return OipInferRequest.parse(body, headerLength(headers.get(BINARY_HEADER)));
    }

    @Override
    public Decoded decode(OipInferRequest request, ModelDescriptor signature) {
        java.util.Set<String> outputs = request.requestedOutputs();
        if (signature.handler().isPresent() && outputs.contains(LABELS) && signature.output(LABELS).isEmpty()) {
            // the handler's labels are made after the batch from the first output, which must then be run
            outputs = new java.util.LinkedHashSet<>(outputs);
            outputs.remove(LABELS);
            outputs.add(signature.outputs().get(0).name());
        }
        if (request.sendsBytes()) {
            Handler handler = Instances.handler(signature, "BYTES");
            return new Decoded(handler.tensors(request.instances(), signature.inputs()), outputs);
        }
        return new Decoded(request.inputs(signature::input, limits), outputs);
    }

    /** The BYTES output of a handler's labels, most probable first, [n, k]: asked for by name. */
    static final String LABELS = "labels";

    @Override
    public Answer encode(InferenceResult result, OipInferRequest request, ModelDescriptor signature) {
        JsonOutput json = new JsonOutput().raw("{\"model_name\":").string(result.model())
                .raw(",\"model_version\":").string(result.version());
        request.id().ifPresent(id -> json.raw(",\"id\":").string(id));
        json.raw(",\"outputs\":[");
        boolean first = true;
        List<TensorData> binary = new ArrayList<>();
        for (TensorData out : result.outputs()) {
            if (!request.requestedOutputs().isEmpty() && !request.requestedOutputs().contains(out.name())) {
                continue;
            }
            json.raw(first ? "" : ",");
            first = false;
            json.raw("{\"name\":").string(out.name()).raw(",\"datatype\":").string(out.dataType().name())
                    .raw(",\"shape\":").shape(out.shape());
            if (request.binary(out.name())) {
                json.raw(",\"parameters\":{\"binary_data_size\":" + out.data().remaining() + "}}");
                binary.add(out);
            } else {
                json.raw(",\"data\":").flatData(out).raw("}");
            }
        }
        if (signature.handler().isPresent() && request.requestedOutputs().contains(LABELS) && signature.output(LABELS).isEmpty()) {
            List<List<String>> labels = signature.handler().get().labels(result.outputs().get(0));
            int k = labels.stream().mapToInt(List::size).max().orElse(0);
            json.raw(first ? "" : ",").raw("{\"name\":\"labels\",\"datatype\":\"BYTES\",\"shape\":").shape(new long[]{labels.size(), k})
                    .raw(",\"data\":[");
            boolean firstLabel = true;
            for (List<String> row : labels) {
                for (int i = 0; i < k; i++) {
                    json.raw(firstLabel ? "" : ",").string(i < row.size() ? row.get(i) : "");
                    firstLabel = false;
                }
            }
            json.raw("]}");
        }
        json.raw("]}");
        int jsonLength = json.length();
        if (binary.isEmpty()) {
            return Answer.json(json.toByteArray());
        }
        for (TensorData out : binary) {
            json.littleEndian(out);
        }
        return new Answer(json.toByteArray(), MediaType.APPLICATION_OCTET_STREAM, Map.of(BINARY_HEADER, jsonLength));
    }

    private static OptionalInt headerLength(String value) {
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new ApiError.BadRequestException(BINARY_HEADER + " must be the byte length of the JSON part of the body, not '"
                    + value.replaceAll("[^0-9A-Za-z -]", "?") + "'");
        }
    }
}
