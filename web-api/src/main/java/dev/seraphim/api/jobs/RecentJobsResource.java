package dev.seraphim.api.jobs;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The runbooks' {@code GET /api/jobs/recent}: the recent executions of {@code GET /api/v1/jobs}. */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/jobs/recent")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class RecentJobsResource {
    @Inject
    JobsResource jobs;

    @GET
    public String recent(@QueryParam("job") String job, @QueryParam("limit") String limit) {
        return jobs.recent(job, limit);
    }
}
