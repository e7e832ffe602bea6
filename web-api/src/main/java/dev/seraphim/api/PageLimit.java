package dev.seraphim.api;

import dev.seraphim.api.errors.ApiError;
/** The {@code limit} query parameter of the listing endpoints: 1 to 1000 records a page, 100 when absent. */
public final class PageLimit {
    public static final int DEFAULT = 100;
    public static final int MAX = 1000;

    private PageLimit() {
    }

    public static int parse(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiError.BadRequestException("'limit' must be an integer from 1 to " + MAX);
    }
}
