package dev.seraphim.api.codec;

import dev.seraphim.inference.tensor.DataType;
import dev.seraphim.inference.tensor.InvalidTensorException;
import dev.seraphim.inference.tensor.TensorData;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorDecoderTest {
    private static final TensorLimits LIMITS = new TensorLimits(1_000_000, 1024);

    private static NumericArray array(String json) {
        Map<String, Object> doc = JsonDocument.parseObject(("{\"a\":" + json + "}").getBytes(StandardCharsets.UTF_8));
        return (NumericArray) doc.get("a");
    }

    @Test
    void nestedArraysGiveTheirShape() {
        TensorData t = TensorDecoder.decode("x", array("[[1, 2.5, -3e2], [4, 5, 6]]"), DataType.FP32, null, LIMITS);
        assertArrayEquals(new long[]{2, 3}, t.shape());
        ByteBuffer d = t.data();
        assertEquals(1f, d.getFloat());
        assertEquals(2.5f, d.getFloat());
        assertEquals(-300f, d.getFloat());
    }

    @Test
    void flatDataTakesTheDeclaredShape() {
        TensorData t = TensorDecoder.decode("x", array("[1,2,3,4,5,6]"), DataType.INT64, new long[]{3, 2}, LIMITS);
        assertArrayEquals(new long[]{3, 2}, t.shape());
        assertEquals(6L, t.data().getLong(5 * 8));
    }

    @Test
    void declaredShapeDecodesInOnePassWithTheSameValues() {
        Random random = new Random(7);
        StringBuilder json = new StringBuilder("[");
        String[] texts = new String[3000];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = switch (i % 6) {
                case 0 -> Float.toString((float) random.nextGaussian());
                case 1 -> Double.toString(random.nextGaussian() * 1e-7);
                case 2 -> String.format("%.17g", random.nextDouble() * 1e6).trim();
                case 3 -> String.format("%.14f", random.nextDouble() - 0.5);
                case 4 -> "-0";
                default -> Long.toString(random.nextInt());
            };
            json.append(i > 0 ? (i % 7 == 0 ? " ,\n " : ",") : "").append(texts[i]);
        }
        String data = json.append("]").toString();
        TensorLimits limits = new TensorLimits(1 << 20, 1 << 20);
        ByteBuffer f = TensorDecoder.decode("x", array(data), DataType.FP32, new long[]{texts.length}, limits).data();
        ByteBuffer d = TensorDecoder.decode("x", array(data), DataType.FP64, new long[]{texts.length}, limits).data();
        for (String text : texts) {
            assertEquals(Float.floatToIntBits(Float.parseFloat(text)), Float.floatToIntBits(f.getFloat()), text);
            assertEquals(Double.doubleToLongBits(Double.parseDouble(text)), Double.doubleToLongBits(d.getDouble()), text);
        }
    }

    @Test
    void manyValuesAcrossTheBulkWritesKeepTheirOrder() {
        // more values than one bulk write holds, plain decimals (gathered) mixed with exponents (written directly)
        Random random = new Random(11);
        int n = 10_007;
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            float v = (float) (random.nextDouble() * 2 - 1);
            texts[i] = i % 97 == 0 ? String.format(java.util.Locale.ROOT, "%.5fe-3", v) : i % 5 == 0 ? String.format("%.12f", v) : Float.toString(v);
        }
        assertEachDecodesAsFloatParseFloat(texts);
    }

    /** The texts as one FP32 array of declared shape, each element the float that Float.parseFloat gives. */
    private static void assertEachDecodesAsFloatParseFloat(String[] texts) {
        ByteBuffer f = TensorDecoder.decode("x", array("[" + String.join(",", texts) + "]"), DataType.FP32, new long[]{texts.length},
                new TensorLimits(1 << 20, 1 << 20)).data();
        assertEquals(texts.length * 4, f.remaining());
        for (int i = 0; i < texts.length; i++) {
            assertEquals(Float.floatToIntBits(Float.parseFloat(texts[i])), Float.floatToIntBits(f.getFloat()), "element " + i + ": " + texts[i]);
        }
    }

    @Test
    void eightDigitsAtATimeMatchTheirText() {
        Random random = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            String digits = String.format("%08d", random.nextInt(100_000_000));
            long word = ByteBuffer.wrap(digits.getBytes(StandardCharsets.US_ASCII)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(8, NumberText.leadingDigits(word), digits);
            assertEquals(Long.parseLong(digits), NumberText.leadingDigitsValue(word, 8), digits);
        }
        for (String notDigits : new String[]{"1234567,", "/1234567", "12:45678", "1234 678", "-1234567", "1234567.", "\u00e912345"}) {
            byte[] b = java.util.Arrays.copyOf(notDigits.getBytes(StandardCharsets.ISO_8859_1), 8);
            int firstNotDigit = 0;
            while (b[firstNotDigit] >= '0' && b[firstNotDigit] <= '9') {
                firstNotDigit++;
            }
            assertEquals(firstNotDigit, NumberText.leadingDigits(ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong()), notDigits);
        }
    }

    @Test
    void theDigitsAtTheFrontOfAWordAreCountedAndValuedWhateverFollowsThem() {
        Random random = new Random(13);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[8];
            int run = random.nextInt(9);
            for (int j = 0; j < 8; j++) {
                b[j] = (byte) (j < run || random.nextInt(3) > 0 ? '0' + random.nextInt(10) : random.nextInt(256));
            }
            if (run < 8 && b[run] >= '0' && b[run] <= '9') {
                String notDigits = ",]. e-/:\u00ff";
                b[run] = (byte) notDigits.charAt(random.nextInt(notDigits.length()));
            }
            long word = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            String text = new String(b, StandardCharsets.ISO_8859_1);
            assertEquals(run, NumberText.leadingDigits(word), text);
            if (run > 0) {
                assertEquals(Long.parseLong(text.substring(0, run)), NumberText.leadingDigitsValue(word, run), text);
            }
        }
    }

    @Test
    void float32PrintedAsDoublesDecodeToTheFloatTheyCameFrom() {
        // what Python clients send: json.dumps(array.tolist()) prints each float32 as the double it widens to
        Random random = new Random(17);
        int n = 5000;
        float[] floats = new float[n];
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            floats[i] = (float) (random.nextGaussian() * (i % 3 == 0 ? 100 : 1));
            json.append(i > 0 ? "," : "").append(Double.toString(floats[i]));
        }
        ByteBuffer f = TensorDecoder.decode("x", array(json.append("]").toString()), DataType.FP32, new long[]{n},
                new TensorLimits(1 << 20, 1 << 20)).data();
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(floats[i]), Float.floatToIntBits(f.getFloat()), Double.toString(floats[i]));
        }
    }

    @Test
    void longDecimalsNextToTheMidpointBetweenTwoFloatsRoundToTheNearer() {
        // 18 or 19 significant digits a hair above or below the exact midpoint between two neighbouring floats: a double
        // cannot tell the two apart, Float.parseFloat can, and the decoder must give what it gives
        Random random = new Random(19);
        int n = 4000;
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            float low = (float) (random.nextDouble() * (i % 2 == 0 ? 1 : 5000));
            java.math.BigDecimal mid = new java.math.BigDecimal(low).add(new java.math.BigDecimal(Math.nextUp(low)))
                    .divide(java.math.BigDecimal.valueOf(2));
            java.math.RoundingMode side = i % 3 == 0 ? java.math.RoundingMode.CEILING : i % 3 == 1 ? java.math.RoundingMode.FLOOR
                    : java.math.RoundingMode.HALF_EVEN;
            texts[i] = mid.round(new java.math.MathContext(i % 4 == 0 ? 19 : 18, side)).toPlainString();
        }
        assertEachDecodesAsFloatParseFloat(texts);
    }

    @Test
    void theEndOfAnArrayIsFoundWhereverItsBracketsFallInAWord() {
        for (int pad = 0; pad < 17; pad++) {
            String lead = "[" + " ".repeat(pad) + "1.25,-3,";
            String nested = "[[" + "0.5,".repeat(pad) + "1],[" + "2,".repeat(pad) + "3]]";
            for (String a : new String[]{lead + "7]", nested, "[" + "4,".repeat(pad) + "5 ]"}) {
                byte[] doc = ("{\"a\":" + a + ",\"b\":1}").getBytes(StandardCharsets.UTF_8);
                assertEquals(5 + a.length(), ArrayTokens.matchingBracket(doc, 5), a);
            }
            for (String bad : new String[]{"[" + "1,".repeat(pad) + "\"2\"]", "[" + "1,".repeat(pad) + "{}]", "[" + "1,".repeat(pad) + "2"}) {
                byte[] doc = bad.getBytes(StandardCharsets.UTF_8);
                assertThrows(MalformedJsonException.class, () -> ArrayTokens.matchingBracket(doc, 0), bad);
            }
        }
        for (char c = 0; c < 256; c++) {
            boolean bracket = c == '[' || c == ']' || c == '"' || c == '{' || c == '}';
            assertEquals(bracket, ArrayTokens.structural(repeated(c)), "byte " + (int) c);
            // the byte alone among others, at each place of the word, beside zero, high and digit bytes
            for (long filler : new long[]{repeated('0'), 0L, repeated((char) 0x80), repeated(','), repeated((char) 0xff)}) {
                for (int at = 0; at < 8; at++) {
                    long word = (filler & ~(0xffL << (8 * at))) | ((long) c << (8 * at));
                    assertEquals(bracket, ArrayTokens.structural(word), "byte " + (int) c + " at " + at + " in " + Long.toHexString(filler));
                }
            }
        }
    }

    private static long repeated(char c) {
        return 0x0101010101010101L * (c & 0xff);
    }

    @Test
    void declaredShapeStillRefusesMalformedNumbers() {
        for (String bad : new String[]{"[1.]", "[2x]", "[-]", "[1.5.5]", "[.5]", "[1e]", "[--1]", "[1,\"2\"]"}) {
            assertThrows(RuntimeException.class, () -> TensorDecoder.decode("x", array(bad), DataType.FP32, new long[]{bad.split(",").length}, LIMITS), bad);
        }
        assertEquals(1.5e3f, TensorDecoder.decode("x", array("[1.5e3]"), DataType.FP32, new long[]{1}, LIMITS).data().getFloat());
        // inside a run of numbers, where each comma and number is taken straight on
        for (String bad : new String[]{"[1,2,,3]", "[1,2,]", "[1,2 3,4]", "[1,2-3,4]", "[1,2,[3],4]", "[1,2,3.,4]", "[1,2,\"3\",4]"}) {
            assertThrows(RuntimeException.class, () -> TensorDecoder.decode("x", array(bad), DataType.FP32, new long[]{4}, LIMITS), bad);
        }
        assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[[1,2,3],[4]]"), DataType.FP32, new long[]{2, 2}, LIMITS));
        ByteBuffer grid = TensorDecoder.decode("x", array("[[1.5,-2.25],[3,4e0]]"), DataType.FP32, new long[]{2, 2}, LIMITS).data();
        assertEquals(List.of(1.5f, -2.25f, 3f, 4f), List.of(grid.getFloat(), grid.getFloat(), grid.getFloat(), grid.getFloat()));
    }

    @Test
    void floatsParseExactlyAsTheJdkDoes() {
        Random random = new Random(42);
        StringBuilder json = new StringBuilder("[");
        float[] expected = new float[2000];
        for (int i = 0; i < expected.length; i++) {
            String text = switch (i % 4) {
                case 0 -> Float.toString((float) random.nextGaussian());
                case 1 -> Double.toString(random.nextGaussian() * 1e-7);
                case 2 -> String.format("%.17g", random.nextDouble() * 1e6).trim();
                default -> Long.toString(random.nextInt());
            };
            expected[i] = Float.parseFloat(text);
            json.append(i > 0 ? "," : "").append(text);
        }
        ByteBuffer d = TensorDecoder.decode("x", array(json.append("]").toString()), DataType.FP32, null, new TensorLimits(1 << 20, 1 << 20)).data();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], d.getFloat(), 0f, "element " + i);
        }
    }

    @Test
    void raggedMixedAndMalformedDataAreRefused() {
        assertTrue(assertThrows(InvalidTensorException.class,
                () -> TensorDecoder.decode("x", array("[[1,2],[3]]"), DataType.FP32, null, LIMITS)).getMessage().contains("ragged"));
        assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[[1,2],3]"), DataType.FP32, null, LIMITS));
        assertThrows(MalformedJsonException.class, () -> TensorDecoder.decode("x", array("[1,,2]"), DataType.FP32, null, LIMITS));
        assertThrows(MalformedJsonException.class, () -> TensorDecoder.decode("x", array("[1,2,]"), DataType.FP32, null, LIMITS));
        assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[1,2x]"), DataType.FP32, null, LIMITS));
        assertTrue(assertThrows(InvalidTensorException.class,
                () -> TensorDecoder.decode("x", array("[1,2,3]"), DataType.FP32, new long[]{2, 2}, LIMITS)).getMessage().contains("needs 4"));
    }

    @Test
    void integersAreRangeChecked() {
        assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[256]"), DataType.UINT8, null, LIMITS));
        assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[-1]"), DataType.UINT32, null, LIMITS));
        assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[1.5]"), DataType.INT32, null, LIMITS));
        assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[9223372036854775808]"), DataType.INT64, null, LIMITS));
        assertEquals(Long.MIN_VALUE, TensorDecoder.decode("x", array("[-9223372036854775808]"), DataType.INT64, null, LIMITS).data().getLong());
        assertEquals((byte) 255, TensorDecoder.decode("x", array("[255]"), DataType.UINT8, null, LIMITS).data().get());
        assertEquals(1, TensorDecoder.decode("x", array("[true, false]"), DataType.BOOL, null, LIMITS).data().get());
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "[".repeat(100) + "1" + "]".repeat(100);
        assertThrows(MalformedJsonException.class, () -> JsonDocument.parse(("{\"a\":" + deep + "}").getBytes(StandardCharsets.UTF_8)));
        String deepObjects = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
        assertThrows(MalformedJsonException.class, () -> JsonDocument.parse(deepObjects.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void floatsBeyondTheirDatatypeAreRefusedNotMadeInfinite() {
        assertTrue(assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[1e39]"), DataType.FP32, null, LIMITS))
                .getMessage().contains("out of range for FP32"));
        assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[-1e309]"), DataType.FP64, null, LIMITS));
        assertThrows(InvalidTensorException.class, () -> TensorDecoder.decode("x", array("[70000]"), DataType.FP16, null, LIMITS));
        assertEquals(3.4e38f, TensorDecoder.decode("x", array("[3.4e38]"), DataType.FP32, null, LIMITS).data().getFloat());
        assertEquals(1e308, TensorDecoder.decode("x", array("[1e308]"), DataType.FP64, null, LIMITS).data().getDouble());
    }

    @Test
    void rowsAndElementsBeyondTheLimitsAreRefusedBeforeAllocating() {
        TensorLimits small = new TensorLimits(10, 3);
        // a declared shape is checked before the data is even looked at: huge shape, tiny body
        assertTrue(assertThrows(TensorLimits.RequestLimitException.class,
                () -> TensorDecoder.decode("x", array("[1]"), DataType.FP32, new long[]{1, 1L << 40}, small)).getMessage().contains("elements"));
        assertTrue(assertThrows(TensorLimits.RequestLimitException.class,
                () -> TensorDecoder.decode("x", array("[[1],[2],[3],[4]]"), DataType.FP32, null, small)).getMessage().contains("4 rows"));
        assertThrows(TensorLimits.RequestLimitException.class,
                () -> TensorDecoder.decode("x", array("[[1,2,3,4,5,6,7,8,9,10,11]]"), DataType.FP32, null, small));
        assertArrayEquals(new long[]{3, 3}, TensorDecoder.decode("x", array("[[1,2,3],[4,5,6],[7,8,9]]"), DataType.FP32, null, small).shape());
    }

    @Test
    void longStringsAreRefused() {
        String name = "n".repeat(JsonDocument.MAX_STRING_BYTES + 1);
        assertTrue(assertThrows(MalformedJsonException.class, () -> JsonDocument.parse(("{\"" + name + "\":1}").getBytes(StandardCharsets.UTF_8)))
                .getMessage().contains("longer than"));
        assertEquals(Map.of("a", "n".repeat(JsonDocument.MAX_STRING_BYTES)),
                JsonDocument.parse(("{\"a\":\"" + "n".repeat(JsonDocument.MAX_STRING_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anEmptyTensorIsRefusedForWhatItIsNotAsBadJson() {
        for (String empty : new String[]{"[]", "[ ]", "[[]]"}) {
            InvalidTensorException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidTensorException.class,
                    () -> TensorDecoder.decode("features", array(empty), DataType.FP32, new long[]{0, 16}, LIMITS));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("has no elements (shape [0, 16])"), e.getMessage());
        }
    }
}
