package dev.seraphim.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Issue 34's image targets: preprocessing per 640×480 JPEG on one core, and resnet18 from JPEG against from the tensor. */
final class ImageTargets {
    private ImageTargets() {
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> evaluate(Map<String, Object> report) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, Object> pre = (Map<String, Object>) report.get("image_preprocessing");
        if (pre != null) {
            out.add(Targets.target("decode + preprocess of a 640x480 JPEG on one core (ms)", ((Number) pre.get("cpu_ms_per_image")).doubleValue(),
                    "<=", 5, String.format(Locale.ROOT, "CPU time on one thread of the benchmark's JVM; decode %.2f ms, resize + crop + normalise %.2f ms",
                            ((Number) pre.get("decode_ms_per_image")).doubleValue(), ((Number) pre.get("resize_crop_normalize_ms_per_image")).doubleValue())));
        }
        Map<String, Object> jpeg = (Map<String, Object>) report.get("jpeg_vs_tensor");
        Map<String, Object> alternating = jpeg == null ? null : (Map<String, Object>) jpeg.get("alternating");
        if (alternating != null && alternating.get("resnet18") instanceof Map<?, ?> a) {
            out.add(Targets.target("resnet18 images/s from JPEG over from the binary tensor, at saturation", ((Number) a.get("jpeg_over_tensor")).doubleValue(),
                    ">=", 0.85, String.format(Locale.ROOT, "%.1f images/s from JPEG vs %.1f from the binary tensor at %s clients, %s alternating pairs"
                            + " of blocks (pairs' median %.3f)", a.get("jpeg_images_per_second"), a.get("tensor_images_per_second"), a.get("clients"),
                            a.get("pairs"), a.get("median_pair_ratio"))));
        }
        return out;
    }
}
