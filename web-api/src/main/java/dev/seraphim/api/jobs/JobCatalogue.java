package dev.seraphim.api.jobs;

import dev.seraphim.api.errors.ApiError;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The jobs the API may start, their parameters and how many steps each runs: an unknown job is 404, an
 * unknown or ill-typed parameter 400 naming it, before anything reaches the batch runtime.
 */
final class JobCatalogue {
    enum Kind { INTEGER, BOOLEAN, BACKUP_NAME, MODEL_NAME, DECIMAL, TEXT }

    record Parameter(String name, Kind kind, long min, long max, boolean required) {
    }

    record Job(String name, int steps, List<Parameter> parameters) {
    }

    static final Map<String, Job> JOBS = new LinkedHashMap<>();

    static {
        add(new Job("backup", 5, List.of(new Parameter("keep", Kind.INTEGER, 1, 1000, false),
                new Parameter("maxAgeDays", Kind.INTEGER, 0, 36500, false))));
        add(new Job("restore", 3, List.of(new Parameter("backup", Kind.BACKUP_NAME, 0, 0, true),
                new Parameter("dryRun", Kind.BOOLEAN, 0, 0, false))));
        add(new Job("maintenance", 5, List.of(new Parameter("auditRetentionDays", Kind.INTEGER, 1, 36500, false),
                new Parameter("jobRetentionDays", Kind.INTEGER, 1, 36500, false),
                new Parameter("archiveAfterDays", Kind.INTEGER, 1, 36500, false))));
        add(new Job("recovery-drill", 1, List.of(new Parameter("backup", Kind.BACKUP_NAME, 0, 0, false))));
        add(new Job("drift-check", 1, List.of(new Parameter("model", Kind.MODEL_NAME, 0, 0, false),
                new Parameter("windowMinutes", Kind.INTEGER, 1, 525600, false), new Parameter("threshold", Kind.DECIMAL, 0, 100, false),
                new Parameter("retrain", Kind.BOOLEAN, 0, 0, false))));
        add(new Job("retrain", 3, List.of(new Parameter("model", Kind.MODEL_NAME, 0, 0, true),
                new Parameter("epochs", Kind.INTEGER, 1, 100000, false), new Parameter("learningRate", Kind.DECIMAL, 0, 10, false),
                new Parameter("minGain", Kind.DECIMAL, -1, 1, false), new Parameter("canary", Kind.BOOLEAN, 0, 0, false),
                new Parameter("reason", Kind.TEXT, 0, 200, false))));
        add(new Job("heartbeat", 1, List.of()));
    }

    private static void add(Job job) {
        JOBS.put(job.name(), job);
    }

    private JobCatalogue() {
    }

    static Job job(String name) {
        Job job = JOBS.get(name);
        if (job == null) {
            throw new ApiError.NotFoundException("no job named '" + (name.matches("[A-Za-z0-9-]{1,64}") ? name : "?")
                    + "'; the jobs are " + JOBS.keySet());
        }
        return job;
    }

    /** The request's JSON parameters as batch job parameters, each checked against the job's declaration. */
    static Properties parameters(Job job, Map<String, Object> given) {
        Properties out = new Properties();
        Set<String> known = job.parameters().stream().map(Parameter::name).collect(java.util.stream.Collectors.toSet());
        for (String name : given.keySet()) {
            if (!known.contains(name)) {
                throw new ApiError.BadRequestException("job " + job.name() + " has no parameter '" + name + "'"
                        + (known.isEmpty() ? "; it takes none" : "; its parameters are " + known));
            }
        }
        for (Parameter p : job.parameters()) {
            Object v = given.get(p.name());
            if (v == null) {
                if (p.required()) {
                    throw new ApiError.BadRequestException("job " + job.name() + " needs parameter '" + p.name() + "'");
                }
                continue;
            }
            out.setProperty(p.name(), switch (p.kind()) {
                case INTEGER -> {
                    if (!(v instanceof BigDecimal n) || n.stripTrailingZeros().scale() > 0
                            || n.compareTo(BigDecimal.valueOf(p.min())) < 0 || n.compareTo(BigDecimal.valueOf(p.max())) > 0) {
                        throw new ApiError.BadRequestException("parameter '" + p.name() + "' must be an integer from " + p.min() + " to " + p.max());
                    }
                    yield n.toBigInteger().toString();
                }
                case BOOLEAN -> {
                    if (!(v instanceof Boolean b)) {
                        throw new ApiError.BadRequestException("parameter '" + p.name() + "' must be true or false");
                    }
                    yield b.toString();
                }
                case MODEL_NAME -> {
                    if (!(v instanceof String s) || !dev.seraphim.inference.model.ModelDescriptors.MODEL_NAME.matcher(s).matches()) {
                        throw new ApiError.BadRequestException("parameter '" + p.name() + "' must be a model name matching "
                                + dev.seraphim.inference.model.ModelDescriptors.MODEL_NAME.pattern());
                    }
                    yield s;
                }
                case DECIMAL -> {
                    if (!(v instanceof BigDecimal n) || n.compareTo(BigDecimal.valueOf(p.min())) < 0 || n.compareTo(BigDecimal.valueOf(p.max())) > 0) {
                        throw new ApiError.BadRequestException("parameter '" + p.name() + "' must be a number from " + p.min() + " to " + p.max());
                    }
                    yield n.toPlainString();
                }
                case TEXT -> {
                    if (!(v instanceof String s) || s.length() > p.max() || !s.matches("[\\p{L}\\p{N} ._:,/()-]*")) {
                        throw new ApiError.BadRequestException("parameter '" + p.name() + "' must be text of at most " + p.max()
                                + " letters, digits, spaces and . _ : , / ( ) -");
                    }
                    yield s;
                }
                case BACKUP_NAME -> {
                    if (!(v instanceof String s) || !s.matches("seraphim-[0-9]{8}-[0-9]{6}-i[0-9]+")) {
                        throw new ApiError.BadRequestException("parameter '" + p.name()
                                + "' must name a backup, e.g. seraphim-20261123-020000-i42 (GET /api/v1/jobs/backups lists them)");
                    }
                    yield s;
                }
            });
        }
        return out;
    }
}
