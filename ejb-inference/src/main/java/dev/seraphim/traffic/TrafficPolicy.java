package dev.seraphim.traffic;

import dev.seraphim.security.Caller;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * A model's traffic policy: how its unversioned requests are split over its loaded versions. Each request takes a
 * point in [0, 10 000) (random, or a hash of its sticky attribute: a header or the API key) and the version whose
 * band holds it. Bands are laid out from the default version first, then the others in version order, so that
 * raising a candidate from 10 % to 20 % moves only the points between 80 % and 90 % (the default's) to it: a sticky
 * user changes version only if the change must move them.
 */
public record TrafficPolicy(List<Share> weights, Sticky sticky, Optional<Shadow> shadow) {
    /** One version's percent of the model's unversioned requests. */
    public record Share(String version, int percent) {
    }

    /** A version that a percent of the model's unversioned requests is also run on, off their path, to compare. */
    public record Shadow(String version, int percent) {
        /** Whether this request is mirrored. */
        public boolean draw() {
            return ThreadLocalRandom.current().nextInt(100) < percent;
        }
    }

    /** What keeps one user on one version: nothing (random), a request header's value, or the caller's API key. */
    public record Sticky(Kind kind, String header) {
        public enum Kind { NONE, HEADER, KEY }

        static final Sticky NONE = new Sticky(Kind.NONE, null);
    }

    public TrafficPolicy {
        weights = List.copyOf(weights);
    }

    /**
     * The policy of a PUT, checked against the model as it is: every weighted version loaded, whole percents from 0 to
     * 100 summing to 100; IllegalArgumentException naming the problem.
     */
    public static TrafficPolicy fromJson(JsonObject json, Optional<String> defaultVersion, Set<String> loaded) {
        if (!(json.get("weights") instanceof JsonObject w) || w.isEmpty()) {
            throw new IllegalArgumentException("'weights' must be an object of version to percent, e.g. {\"1\": 90, \"2\": 10}");
        }
        List<Share> shares = new ArrayList<>();
        int sum = 0;
        for (Map.Entry<String, JsonValue> e : w.entrySet()) {
            if (!(e.getValue() instanceof JsonNumber n) || !n.isIntegral() || n.intValue() < 0 || n.intValue() > 100) {
                throw new IllegalArgumentException("weight of version " + e.getKey() + " must be a whole percent from 0 to 100");
            }
            if (!loaded.contains(e.getKey())) {
                throw new IllegalArgumentException("version " + e.getKey() + " is not loaded; weights may only go to loaded versions " + loaded.stream().sorted().toList());
            }
            shares.add(new Share(e.getKey(), n.intValue()));
            sum += n.intValue();
        }
        if (sum != 100) {
            throw new IllegalArgumentException("weights must sum to 100, not " + sum);
        }
        Optional<Shadow> shadow = shadow(json.get("shadow"));
        shadow.ifPresent(sh -> {
            if (!loaded.contains(sh.version())) {
                throw new IllegalArgumentException("shadow version " + sh.version() + " is not loaded; load it first");
            }
        });
        return new TrafficPolicy(ordered(shares, defaultVersion), sticky(json.get("sticky")), shadow);
    }

    private static Optional<Shadow> shadow(JsonValue s) {
        if (s == null || s == JsonValue.NULL) {
            return Optional.empty();
        }
        if (s instanceof JsonObject o && o.get("version") instanceof JsonString v && o.get("percent") instanceof JsonNumber p
                && p.isIntegral() && p.intValue() >= 1 && p.intValue() <= 100 && o.size() == 2) {
            return Optional.of(new Shadow(v.getString(), p.intValue()));
        }
        throw new IllegalArgumentException("'shadow' must be {\"version\": \"3\", \"percent\": 5} (a loaded version, a whole percent from 1 to 100)");
    }

    /** The policy as stored, already checked when it was put. */
    public static TrafficPolicy stored(String json, Optional<String> defaultVersion) {
        JsonObject o = Json.createReader(new StringReader(json)).readObject();
        List<Share> shares = new ArrayList<>();
        o.getJsonObject("weights").forEach((v, p) -> shares.add(new Share(v, ((JsonNumber) p).intValue())));
        return new TrafficPolicy(ordered(shares, defaultVersion), sticky(o.get("sticky")), shadow(o.get("shadow")));
    }

    private static Sticky sticky(JsonValue s) {
        if (s == null || s == JsonValue.NULL) {
            return Sticky.NONE;
        }
        if (s instanceof JsonObject o && o.size() == 1 && o.get("header") instanceof JsonString h && h.getString().matches("[A-Za-z0-9-]{1,64}")) {
            return new Sticky(Sticky.Kind.HEADER, h.getString());
        }
        if (s instanceof JsonObject o && o.size() == 1 && o.get("key") == JsonValue.TRUE) {
            return new Sticky(Sticky.Kind.KEY, null);
        }
        throw new IllegalArgumentException("'sticky' must be {\"header\": \"X-User-Id\"} (a header name) or {\"key\": true} (the API key)");
    }

    /** Default first, then by version (numerically where both are numbers). */
    private static List<Share> ordered(List<Share> shares, Optional<String> defaultVersion) {
        List<Share> out = new ArrayList<>(shares);
        Comparator<String> versions = (a, b) -> a.matches("\\d{1,18}") && b.matches("\\d{1,18}") ? Long.compare(Long.parseLong(a), Long.parseLong(b)) : a.compareTo(b);
        out.sort(Comparator.comparing((Share s) -> !s.version().equals(defaultVersion.orElse(null))).thenComparing(Share::version, versions));
        return out;
    }

    public JsonObject toJson() {
        JsonObjectBuilder w = Json.createObjectBuilder();
        weights.forEach(s -> w.add(s.version(), s.percent()));
        JsonObjectBuilder b = Json.createObjectBuilder().add("weights", w);
        switch (sticky.kind()) {
            case HEADER -> b.add("sticky", Json.createObjectBuilder().add("header", sticky.header()));
            case KEY -> b.add("sticky", Json.createObjectBuilder().add("key", true));
            default -> b.add("sticky", JsonValue.NULL);
        }
        b.add("shadow", shadow.<JsonValue>map(sh -> Json.createObjectBuilder().add("version", sh.version()).add("percent", sh.percent()).build())
                .orElse(JsonValue.NULL));
        return b.build();
    }

    /** The version for a request: by the hash of its sticky attribute where it has one, else at random. */
    public String choose(Function<String, String> headers, Optional<Caller> caller) {
        String key = switch (sticky.kind()) {
            case HEADER -> headers.apply(sticky.header());
            case KEY -> caller.map(Caller::keyId).orElse(null);
            default -> null;
        };
        int point = key == null || key.isEmpty() ? ThreadLocalRandom.current().nextInt(10_000) : point(key);
        int upper = 0;
        for (Share s : weights) {
            upper += s.percent() * 100;
            if (point < upper) {
                return s.version();
            }
        }
        return weights.get(weights.size() - 1).version();
    }

    /** A key's point in [0, 10 000): FNV-1a over its UTF-8, then a 64-bit finaliser, so that near keys land far apart. */
    static int point(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) Long.remainderUnsigned(h, 10_000);
    }

    JsonArrayBuilder bands() {
        JsonArrayBuilder a = Json.createArrayBuilder();
        int lower = 0;
        for (Share s : weights) {
            a.add(Json.createObjectBuilder().add("version", s.version()).add("from", lower / 100.0).add("to", (lower + s.percent() * 100) / 100.0));
            lower += s.percent() * 100;
        }
        return a;
    }
}
