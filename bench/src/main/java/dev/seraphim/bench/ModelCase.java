package dev.seraphim.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One benchmarked model: its input, a fixed random row (the same bytes for the raw engine and the server), the
 * request bodies (OIP JSON, and OIP with the binary tensor data extension), and the libtorch intra-op threads the
 * server runs it with (its demo-store descriptor's {@code intra_op_threads}, else one per core, the server default).
 */
record ModelCase(String name, Path file, String input, String datatype, long[] rowShape, boolean fromDemoStore,
                 int intraOpThreads) {

    static ModelCase tabular(Path store) throws IOException {
        return demo(store, "tabular-mlp", "features", "FP32", new long[]{16});
    }

    static ModelCase tinyCnn(Path store) throws IOException {
        return demo(store, "tiny-cnn", "image", "FP32", new long[]{3, 224, 224});
    }

    static ModelCase text(Path store) throws IOException {
        return demo(store, "text-classifier", "input_ids", "INT64", new long[]{64});
    }

    static ModelCase resnet(Path file) {
        return new ModelCase("resnet18", file, "image", "FP32", new long[]{3, 224, 224}, false, serverDefaultThreads());
    }

    private static ModelCase demo(Path store, String name, String input, String datatype, long[] rowShape) throws IOException {
        String descriptor = Files.readString(store.resolve(name + ".json"));
        return new ModelCase(name, store.resolve(name + ".pt"), input, datatype, rowShape, true, intraOpThreads(descriptor));
    }

    /** The descriptor's intra_op_threads, or the server's default when it sets none. */
    static int intraOpThreads(String descriptorJson) {
        return intraOpThreadsIn(descriptorJson).orElse(serverDefaultThreads());
    }

    /** The intra_op_threads a descriptor or a registry view states, if it states one. */
    static OptionalInt intraOpThreadsIn(String json) {
        return numberIn(json, "intra_op_threads");
    }

    /** The first whole number a descriptor or a registry view states for {@code field}, if it states one. */
    static OptionalInt numberIn(String json, String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*(\\d+)").matcher(json);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    private static int serverDefaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    long rowElements() {
        long n = 1;
        for (long d : rowShape) {
            n *= d;
        }
        return n;
    }

    boolean int64() {
        return datatype.equals("INT64");
    }

    /** {@code rows} rows of values: uniform in [-1, 1) for floats, token ids 1..999 for the text model. */
    double[] values(int rows, long seed) {
        Random r = new Random(seed);
        double[] v = new double[(int) (rows * rowElements())];
        for (int i = 0; i < v.length; i++) {
            v[i] = int64() ? 1 + r.nextInt(999) : (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    long[] shape(int rows) {
        long[] s = new long[rowShape.length + 1];
        s[0] = rows;
        System.arraycopy(rowShape, 0, s, 1, rowShape.length);
        return s;
    }

    String shapeJson(int rows) {
        StringBuilder b = new StringBuilder("[");
        for (long d : shape(rows)) {
            b.append(b.length() == 1 ? "" : ",").append(d);
        }
        return b.append(']').toString();
    }

    byte[] jsonBody(double[] values) {
        return jsonBody(values, false);
    }

    /**
     * With {@code floatsAsDoubles} each float value is printed as the double it widens to (0.10000000149011612, up to
     * 17 digits), as Python clients send float32 data (Triton's and KServe's clients: {@code json.dumps} of the
     * array's {@code tolist()}); else as the shortest text that gives the float back (0.1).
     */
    byte[] jsonBody(double[] values, boolean floatsAsDoubles) {
        StringBuilder b = new StringBuilder(values.length * (floatsAsDoubles ? 21 : 12) + 200);
        b.append("{\"inputs\":[{\"name\":\"").append(input).append("\",\"datatype\":\"").append(datatype)
                .append("\",\"shape\":").append(shapeJson(1)).append(",\"data\":[");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            if (int64()) {
                b.append((long) values[i]);
            } else if (floatsAsDoubles) {
                b.append((double) (float) values[i]);
            } else {
                b.append((float) values[i]);
            }
        }
        return b.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The binary extension's body and the length of its JSON part; outputs come back binary too. */
    Binary binaryBody(double[] values) {
        int size = values.length * (int64() ? 8 : 4);
        byte[] head = ("{\"inputs\":[{\"name\":\"" + input + "\",\"datatype\":\"" + datatype + "\",\"shape\":" + shapeJson(1)
                + ",\"parameters\":{\"binary_data_size\":" + size + "}}],\"parameters\":{\"binary_data_output\":true}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(head.length + size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(head);
        for (double v : values) {
            if (int64()) {
                b.putLong((long) v);
            } else {
                b.putFloat((float) v);
            }
        }
        return new Binary(b.array(), head.length);
    }

    record Binary(byte[] body, int headerLength) {
    }
}
