package dev.seraphim.drift;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A model version's reference window: per feature, its bin edges and the reference rows' count in each bin. */
public record Reference(long rows, List<Feature> features) {
    public record Feature(String name, double[] edges, long[] counts) {
    }

    Map<String, Feature> byName() {
        Map<String, Feature> m = new LinkedHashMap<>();
        features.forEach(f -> m.put(f.name(), f));
        return m;
    }
}
