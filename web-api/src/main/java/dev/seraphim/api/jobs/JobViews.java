package dev.seraphim.api.jobs;

import jakarta.batch.operations.JobOperator;
import jakarta.batch.runtime.BatchStatus;
import jakarta.batch.runtime.JobExecution;
import jakarta.batch.runtime.Metric;
import jakarta.batch.runtime.StepExecution;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.util.Date;
import java.util.List;
import java.util.Properties;

/** JSON views of job executions. */
final class JobViews {
    private JobViews() {
    }

    static JsonObject summary(JobExecution e) {
        return base(e).build();
    }

    private static JsonObjectBuilder base(JobExecution e) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("execution_id", e.getExecutionId()).add("job", e.getJobName())
                .add("status", e.getBatchStatus().name());
        put(b, "exit_status", e.getExitStatus());
        put(b, "created_at", e.getCreateTime());
        put(b, "started_at", e.getStartTime());
        put(b, "ended_at", e.getEndTime());
        if (e.getBatchStatus() == BatchStatus.FAILED && e.getExitStatus() != null && e.getExitStatus().startsWith("FAILED: ")) {
            b.add("failure", e.getExitStatus().substring("FAILED: ".length()));
        }
        return b;
    }

    /** With steps, progress and parameters. {@code totalSteps} 0 when unknown. */
    static JsonObject execution(JobOperator operator, long id, int totalSteps) {
        JobExecution e = operator.getJobExecution(id);
        JsonObjectBuilder b = base(e).add("instance_id", operator.getJobInstance(id).getInstanceId());
        List<StepExecution> steps = operator.getStepExecutions(id);
        JsonArrayBuilder list = Json.createArrayBuilder();
        long items = 0;
        int done = 0;
        String current = null;
        for (StepExecution s : steps) {
            JsonObjectBuilder step = Json.createObjectBuilder().add("name", s.getStepName()).add("status", s.getBatchStatus().name());
            put(step, "exit_status", s.getExitStatus());
            put(step, "started_at", s.getStartTime());
            put(step, "ended_at", s.getEndTime());
            for (Metric m : s.getMetrics()) {
                if (m.getType() == Metric.MetricType.READ_COUNT) {
                    step.add("items_read", m.getValue());
                    items += m.getValue();
                } else if (m.getType() == Metric.MetricType.WRITE_COUNT) {
                    step.add("items_written", m.getValue());
                }
            }
            if (s.getBatchStatus() == BatchStatus.COMPLETED) {
                done++;
            } else if (s.getBatchStatus() == BatchStatus.STARTED || s.getBatchStatus() == BatchStatus.STARTING) {
                current = s.getStepName();
            }
            list.add(step);
        }
        b.add("steps", list);
        if (current != null) {
            b.add("current_step", current);
        }
        JsonObjectBuilder progress = Json.createObjectBuilder().add("steps_done", done).add("items_done", items);
        if (totalSteps > 0) {
            int percent = e.getBatchStatus() == BatchStatus.COMPLETED ? 100 : Math.min(99, done * 100 / totalSteps);
            progress.add("steps_total", totalSteps).add("percent", percent);
        }
        b.add("progress", progress);
        JsonObjectBuilder params = Json.createObjectBuilder();
        Properties p = operator.getParameters(id);
        if (p != null) {
            p.stringPropertyNames().stream().sorted().forEach(k -> params.add(k, p.getProperty(k)));
        }
        b.add("parameters", params);
        return b.build();
    }

    private static void put(JsonObjectBuilder b, String name, Object value) {
        if (value instanceof Date d) {
            b.add(name, d.toInstant().toString());
        } else if (value != null) {
            b.add(name, value.toString());
        }
    }
}
