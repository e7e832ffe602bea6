package dev.seraphim.api.jobs;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.api.errors.ApiError;
import dev.seraphim.api.PageLimit;
import dev.seraphim.api.codec.JsonDocument;
import dev.seraphim.api.codec.RequestBody;
import dev.seraphim.backup.BackupFolders;
import dev.seraphim.backup.BackupManifest;
import dev.seraphim.backup.BackupSettings;
import jakarta.batch.operations.JobExecutionAlreadyCompleteException;
import jakarta.batch.operations.JobExecutionNotMostRecentException;
import jakarta.batch.operations.JobExecutionNotRunningException;
import jakarta.batch.operations.JobOperator;
import jakarta.batch.operations.JobRestartException;
import jakarta.batch.operations.NoSuchJobException;
import jakarta.batch.runtime.BatchRuntime;
import jakarta.batch.runtime.JobExecution;
import jakarta.batch.runtime.JobInstance;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Jakarta Batch jobs through the API: start one with JSON parameters, list recent executions, follow one
 * (status, steps, progress, exit status with the failure cause), stop and restart. The same executions are
 * in Liberty's Admin Center Java Batch tool.
 */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/v1/jobs")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class JobsResource {
    private static final long MAX_PARAMETER_BYTES = 64 * 1024;

    @Inject
    BackupSettings backups;

    @jakarta.annotation.Resource(lookup = "jdbc/seraphim")
    javax.sql.DataSource dataSource;

    private static JobOperator operator() {
        return BatchRuntime.getJobOperator();
    }

    @POST
    @Path("{name}")
    public Response start(@PathParam("name") String name, InputStream in) throws IOException {
        JobCatalogue.Job job = JobCatalogue.job(name);
        byte[] body = RequestBody.read(in, -1, MAX_PARAMETER_BYTES);
        Map<String, Object> given = body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()
                ? Map.of() : JsonDocument.parseObject(body);
        Properties parameters = JobCatalogue.parameters(job, given);
        long id = operator().start(job.name(), parameters);
        return Response.accepted(JobViews.execution(operator(), id, job.steps()).toString())
                .location(URI.create("/api/v1/jobs/" + id)).build();
    }

    @GET
    public String recent(@QueryParam("job") String jobName, @QueryParam("limit") String limitText) {
        int limit = PageLimit.parse(limitText);
        List<JobExecution> executions = new ArrayList<>();
        for (String name : jobName == null ? JobCatalogue.JOBS.keySet() : List.of(JobCatalogue.job(jobName).name())) {
            try {
                for (JobInstance instance : operator().getJobInstances(name, 0, limit)) {
                    executions.addAll(operator().getJobExecutions(instance));
                }
            } catch (NoSuchJobException neverRun) {
                // no execution of this job yet
            }
        }
        executions.sort(Comparator.comparing(JobExecution::getCreateTime).reversed());
        JsonArrayBuilder list = Json.createArrayBuilder();
        executions.stream().limit(limit).forEach(e -> list.add(JobViews.summary(e)));
        return Json.createObjectBuilder().add("executions", list).build().toString();
    }

    @GET
    @Path("{executionId: [0-9]+}")
    public String execution(@PathParam("executionId") long id) {
        JobExecution e = operator().getJobExecution(id);
        return JobViews.execution(operator(), id, JobCatalogue.JOBS.containsKey(e.getJobName())
                ? JobCatalogue.JOBS.get(e.getJobName()).steps() : 0).toString();
    }

    @POST
    @Path("{executionId: [0-9]+}/stop")
    public Response stop(@PathParam("executionId") long id) {
        try {
            operator().stop(id);
        } catch (JobExecutionNotRunningException e) {
            throw new ApiError.ConflictException("execution " + id + " is not running (" + operator().getJobExecution(id).getBatchStatus() + ")");
        }
        return Response.accepted(JobViews.summary(operator().getJobExecution(id)).toString()).build();
    }

    @POST
    @Path("{executionId: [0-9]+}/restart")
    public Response restart(@PathParam("executionId") long id) {
        JobExecution previous = operator().getJobExecution(id);
        long next;
        try {
            next = operator().restart(id, operator().getParameters(id));
        } catch (JobExecutionAlreadyCompleteException e) {
            throw new ApiError.ConflictException("execution " + id + " completed; start the job again instead");
        } catch (JobExecutionNotMostRecentException e) {
            throw new ApiError.ConflictException("execution " + id + " is not its job instance's latest; restart the latest one");
        } catch (JobRestartException e) {
            throw new ApiError.ConflictException("execution " + id + " cannot be restarted (" + previous.getBatchStatus()
                    + "); only FAILED or STOPPED executions can");
        }
        int steps = JobCatalogue.JOBS.containsKey(previous.getJobName()) ? JobCatalogue.JOBS.get(previous.getJobName()).steps() : 0;
        return Response.accepted(JobViews.execution(operator(), next, steps).toString())
                .location(URI.create("/api/v1/jobs/" + next)).build();
    }

    /** The health report of the latest maintenance run. */
    @GET
    @Path("maintenance/report")
    public String maintenanceReport() throws java.sql.SQLException {
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement s = c.prepareStatement("SELECT report FROM maintenance_report ORDER BY id DESC LIMIT 1");
             java.sql.ResultSet r = s.executeQuery()) {
            if (!r.next()) {
                throw new ApiError.NotFoundException("no maintenance report yet: run POST /api/v1/jobs/maintenance");
            }
            return r.getString(1);
        }
    }

    /** Completed backups, newest first, with what each holds: the names the restore job takes. */
    @GET
    @Path("backups")
    public String backups() throws IOException {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (java.nio.file.Path b : BackupFolders.completedBackups(backups.directory())) {
            BackupManifest m = BackupManifest.read(b);
            list.add(Json.createObjectBuilder().add("name", b.getFileName().toString()).add("created_at", m.createdAt())
                    .add("schema_version", m.schemaVersion()).add("files", m.files().size())
                    .add("bytes", m.files().stream().mapToLong(BackupManifest.FileEntry::bytes).sum())
                    .add("rows", m.tables().stream().mapToLong(BackupManifest.Table::rows).sum()));
        }
        return Json.createObjectBuilder().add("directory_exists", Files.isDirectory(backups.directory()))
                .add("backups", list).build().toString();
    }
}
