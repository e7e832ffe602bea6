package dev.seraphim.api.feedback;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.ApiLimits;
import dev.seraphim.api.RequestIds;
import dev.seraphim.api.codec.JsonDocument;
import dev.seraphim.api.codec.JsonOutput;
import dev.seraphim.api.codec.NumericArray;
import dev.seraphim.api.codec.RequestBody;
import dev.seraphim.api.oip.OipInferRequest;
import dev.seraphim.api.inference.ModelAccess;
import dev.seraphim.feedback.FeedbackLog;
import dev.seraphim.feedback.LabelledExample;
import dev.seraphim.inference.engine.ModelTarget;
import dev.seraphim.inference.model.ModelDescriptor;
import dev.seraphim.inference.tensor.TensorData;
import dev.seraphim.inference.tensor.TensorSpec;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Labelled feedback for retraining: {@code {"request_id", "label"}} labels a served prediction (its inputs come
 * from the audit trail's sampled copy), {@code {"model", "inputs", "label" | "labels"}} labels rows sent with
 * it. Each row becomes one stored example; 201 with their ids.
 */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/feedback")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class FeedbackResource {
    private static final int MAX_ROWS = 1024;

    @Inject
    ModelAccess access;

    @Inject
    ApiLimits limits;

    @Inject
    FeedbackLog log;

    @Context
    HttpServletRequest http;

    @POST
    public Response record(InputStream in) throws IOException, SQLException {
        byte[] body = RequestBody.read(in, http.getContentLengthLong(), limits.maxBodyBytes());
        Map<String, Object> root = JsonDocument.parseObject(body);
        for (String key : root.keySet()) {
            if (!List.of("request_id", "model", "version", "inputs", "label", "labels").contains(key)) {
                throw new ApiError.BadRequestException("unknown field '" + key + "'; send {\"request_id\", \"label\"} or"
                        + " {\"model\", \"inputs\", \"label\" | \"labels\"}");
            }
        }
        String requestId = root.get("request_id") instanceof String s ? s : null;
        if (root.containsKey("request_id") && (requestId == null || requestId.isBlank() || requestId.length() > 128)) {
            throw new ApiError.BadRequestException("'request_id' must be the X-Request-Id of a served prediction (1 to 128 characters)");
        }
        if ((requestId == null) == !root.containsKey("inputs")) {
            throw new ApiError.BadRequestException("send either 'request_id' (a served prediction) or 'inputs' (with 'model'), not both");
        }
        String keyHash = RequestIds.origin(http).keyHash();
        String model;
        Optional<String> version;
        Object inputs;
        if (requestId != null) {
            if (root.containsKey("model") || root.containsKey("version")) {
                throw new ApiError.BadRequestException("with 'request_id' the model and version are those that served it; leave out 'model' and 'version'");
            }
            FeedbackLog.ServedRequest served = log.servedRequest(requestId, keyHash).orElseThrow(() ->
                    new ApiError.NotFoundException("no successful prediction with request id '" + requestId.replaceAll("[^A-Za-z0-9._-]", "?")
                            + "' made with this API key is in the audit trail (records are written within a second of the response;"
                            + " retry, or send 'inputs')"));
            model = served.model();
            version = Optional.ofNullable(served.version());
            inputs = auditedInputs(served);
        } else {
            if (!(root.get("model") instanceof String m)) {
                throw new ApiError.BadRequestException("'model' (a string) is required with 'inputs'");
            }
            model = m;
            version = root.get("version") instanceof String v ? Optional.of(v) : Optional.empty();
            if (root.containsKey("version") && version.isEmpty()) {
                throw new ApiError.BadRequestException("'version' must be a string");
            }
            inputs = root.get("inputs");
        }
        ModelTarget served = access.resolve(model, version);
        List<TensorData> tensors = rows(served.descriptor(), inputs);
        long rows = tensors.get(0).rows();
        int[] labels = labels(root, rows, served.descriptor());
        List<LabelledExample> examples = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            examples.add(new LabelledExample(0, model, served.version(), requestId, rowJson(tensors, r), labels[r]));
        }
        List<Long> ids = log.record(examples, keyHash);
        JsonOutput out = new JsonOutput().raw("{\"model\":").string(model).raw(",\"version\":").string(served.version())
                .raw(",\"rows\":" + rows + ",\"ids\":").shape(ids.stream().mapToLong(Long::longValue).toArray()).raw("}");
        return Response.status(Response.Status.CREATED).entity(out.toByteArray()).build();
    }

    private static Object auditedInputs(FeedbackLog.ServedRequest served) {
        String sample = served.inputSample();
        if (sample == null || sample.contains("…[truncated") || sample.startsWith("…[not UTF-8")) {
            throw new UnprocessableFeedbackException("the audit trail did not keep the inputs of that prediction (model " + served.model()
                    + "'s audit payload policy must be 'sample' with the request kept whole: seraphim.audit.payload.<model>=sample,"
                    + " sample rate 1); send 'model' and 'inputs' with the label instead");
        }
        Object root = JsonDocument.parse(sample.getBytes(StandardCharsets.UTF_8));
        if (!(root instanceof Map<?, ?> m) || !(m.get("inputs") instanceof List<?> list)) {
            throw new UnprocessableFeedbackException("the kept request of that prediction (" + served.api() + " API) has no OIP"
                    + " 'inputs'; send 'model' and 'inputs' with the label instead");
        }
        return list;
    }

    private List<TensorData> rows(ModelDescriptor d, Object inputs) {
        if (!(inputs instanceof List<?> list) || list.isEmpty()) {
            throw new ApiError.BadRequestException("'inputs' must be a non-empty array of OIP tensors {\"name\", \"datatype\", \"shape\", \"data\"}");
        }
        List<TensorData> ordered = d.inSignatureOrder(OipInferRequest.tensors(list, d::input, limits.tensors()));
        long rows = ordered.get(0).rows();
        if (rows < 1 || rows > MAX_ROWS) {
            throw new ApiError.BadRequestException("feedback takes 1 to " + MAX_ROWS + " rows per request, not " + rows);
        }
        return ordered;
    }

    /** One class index per row, each within the model's first output's classes when that is fixed. */
    private static int[] labels(Map<String, Object> root, long rows, ModelDescriptor d) {
        long classes = d.outputs().get(0).shape().length == 2 ? d.outputs().get(0).fixedDim(1).orElse(Integer.MAX_VALUE) : Integer.MAX_VALUE;
        List<Object> given;
        if (root.containsKey("label") == root.containsKey("labels")) {
            throw new ApiError.BadRequestException("send 'label' (one row) or 'labels' (one per row)");
        }
        if (root.containsKey("label")) {
            if (rows != 1) {
                throw new ApiError.BadRequestException("'label' labels one row; the inputs have " + rows + " rows: send 'labels'");
            }
            given = List.of(root.get("label") == null ? "" : root.get("label"));
        } else if (root.get("labels") instanceof NumericArray a) {
            given = new ArrayList<>();
            for (long v : a.toLongs("labels")) {
                given.add(BigDecimal.valueOf(v));
            }
        } else {
            throw new ApiError.BadRequestException("'labels' must be an array of class indexes");
        }
        if (given.size() != rows) {
            throw new ApiError.BadRequestException("'labels' has " + given.size() + " entries for " + rows + " rows");
        }
        int[] labels = new int[(int) rows];
        for (int i = 0; i < rows; i++) {
            Object v = given.get(i);
            if (!(v instanceof BigDecimal n) || n.stripTrailingZeros().scale() > 0 || n.signum() < 0 || n.compareTo(BigDecimal.valueOf(classes)) >= 0) {
                throw new ApiError.BadRequestException("a label must be a class index from 0 to " + (classes == Integer.MAX_VALUE ? "n" : classes - 1)
                        + " (model " + d.name() + "'s output '" + d.outputs().get(0).name() + "')");
            }
            labels[i] = n.intValueExact();
        }
        return labels;
    }

    /** Row {@code r} of every input as OIP tensors with a batch dimension of 1. */
    private static String rowJson(List<TensorData> tensors, int r) {
        JsonOutput json = new JsonOutput().raw("[");
        for (int i = 0; i < tensors.size(); i++) {
            TensorData t = tensors.get(i);
            long[] shape = t.shape();
            long rowElements = t.elementCount() / Math.max(1, shape[0]);
            int rowBytes = (int) (rowElements * t.dataType().byteSize());
            ByteBuffer slice = t.data().position(r * rowBytes).limit(r * rowBytes + rowBytes).slice();
            shape[0] = 1;
            TensorData row = new TensorData(t.name(), t.dataType(), shape, slice);
            json.raw(i == 0 ? "{\"name\":" : ",{\"name\":").string(t.name()).raw(",\"datatype\":").string(t.dataType().name())
                    .raw(",\"shape\":").shape(shape).raw(",\"data\":").flatData(row).raw("}");
        }
        return new String(json.raw("]").toByteArray(), StandardCharsets.UTF_8);
    }

    /** The request is well formed but cannot be used as feedback (422). */
    public static class UnprocessableFeedbackException extends RuntimeException implements dev.seraphim.failure.Failure {
        public UnprocessableFeedbackException(String message) {
            super(message);
        }

        @Override
        public dev.seraphim.failure.FailureKind kind() {
            return dev.seraphim.failure.FailureKind.UNPROCESSABLE;
        }
    }
}
