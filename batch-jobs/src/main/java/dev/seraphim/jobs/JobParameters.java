package dev.seraphim.jobs;

import java.util.Properties;

/** Typed reads of a job's parameters; the REST API has already refused bad ones, so a bad one here is a defect. */
public final class JobParameters {
    private JobParameters() {
    }

    /** The parameters the execution was started (or restarted) with. */
    public static Properties of(jakarta.batch.runtime.context.JobContext job) {
        return jakarta.batch.runtime.BatchRuntime.getJobOperator().getParameters(job.getExecutionId());
    }

    public static int integer(Properties p, String name, int fallback) {
        String v = p == null ? null : p.getProperty(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    public static boolean bool(Properties p, String name) {
        return p != null && Boolean.parseBoolean(p.getProperty(name, "false").trim());
    }

    public static String text(Properties p, String name) {
        String v = p == null ? null : p.getProperty(name);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
