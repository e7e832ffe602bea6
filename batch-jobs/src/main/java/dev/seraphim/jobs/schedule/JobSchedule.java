package dev.seraphim.jobs.schedule;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.batch.runtime.BatchRuntime;
import jakarta.enterprise.concurrent.CronTrigger;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts jobs on cron schedules from configuration ({@code seraphim.jobs.schedule.<job>}, "off" to disable),
 * exactly once per scheduled time however many replicas share the database: every replica keeps the same
 * schedule, and at each time the first to insert the row {@code (job, scheduled_for)} into
 * {@code job_schedule_run} starts the job; the others see the row and do nothing. A run missed while every
 * replica was down (the last recorded run is older than the latest scheduled time) runs once at the next
 * start, flagged {@code catch_up}; not once per missed time.
 */
@ApplicationScoped
public class JobSchedule {
    private static final Logger LOG = Logger.getLogger(JobSchedule.class.getName());
    /** The defaults of the runbooks; jobs not listed run only when configured. */
    static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("backup", "0 0 2 * * *");
        DEFAULTS.put("maintenance", "0 0 3 * * *");
        DEFAULTS.put("recovery-drill", "0 0 4 1 * *");
        DEFAULTS.put("drift-check", "0 0 * * * *");
    }

    static final List<String> SCHEDULABLE = List.of("backup", "maintenance", "recovery-drill", "drift-check", "heartbeat");

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService executor;

    @Resource(lookup = "jdbc/seraphim")
    DataSource dataSource;

    @Inject
    Config config;

    @Inject
    org.eclipse.microprofile.metrics.MetricRegistry metrics;

    /** The replica's name, as every other claim and audit row gives it (seraphim.server.name, else the host's). */
    @Inject
    dev.seraphim.platform.ServerIdentity identity;

    private final List<ScheduledFuture<?>> pending = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;
    private String replica;

    void start(@Observes Startup startup) {
        replica = identity.name();
        ZoneId zone = ZoneId.of(config.getOptionalValue("seraphim.jobs.schedule.zone", String.class).orElse("UTC"));
        for (String job : SCHEDULABLE) {
            Optional<String> cron = config.getOptionalValue("seraphim.jobs.schedule." + job, String.class)
                    .or(() -> Optional.ofNullable(DEFAULTS.get(job))).map(String::trim);
            if (cron.isEmpty() || cron.get().equalsIgnoreCase("off")) {
                continue;
            }
            CronTrigger trigger;
            try {
                trigger = new CronTrigger(cron.get(), zone);
            } catch (RuntimeException e) {
                LOG.severe("seraphim.jobs.schedule." + job + "='" + cron.get() + "' is not a cron expression (" + e.getMessage()
                        + "); job " + job + " is NOT scheduled");
                continue;
            }
            catchUp(job, trigger, zone);
            scheduleAfter(job, trigger, ZonedDateTime.now(zone));
            LOG.info("job " + job + " scheduled '" + cron.get() + "' (" + zone + "), next at " + next(trigger, ZonedDateTime.now(zone)));
        }
    }

    /** Before the application's beans go: no new run may start while the application stops. */
    void beforeStop(@Observes @jakarta.enterprise.context.BeforeDestroyed(ApplicationScoped.class) Object event) {
        stop();
    }

    @PreDestroy
    void stop() {
        stopped = true;
        pending.forEach(f -> f.cancel(false));
    }

    private static ZonedDateTime next(CronTrigger trigger, ZonedDateTime after) {
        return trigger.getNextRunTime(null, after.plusSeconds(1).withNano(0));
    }

    private void scheduleAfter(String job, CronTrigger trigger, ZonedDateTime after) {
        if (stopped) {
            return;
        }
        ZonedDateTime at = next(trigger, after);
        long delay = Math.max(0, java.time.Duration.between(ZonedDateTime.now(at.getZone()), at).toMillis());
        pending.removeIf(ScheduledFuture::isDone);
        pending.add(executor.schedule(() -> {
            try {
                fire(job, at, false);
            } finally {
                scheduleAfter(job, trigger, at);
            }
        }, delay, TimeUnit.MILLISECONDS));
    }

    /** The latest scheduled time after the last recorded run, if it has passed: one run for all that were missed. */
    private void catchUp(String job, CronTrigger trigger, ZoneId zone) {
        try {
            Optional<ZonedDateTime> last = lastScheduled(job, zone);
            if (last.isEmpty()) {
                return; // a first start: nothing was ever scheduled here, so nothing was missed
            }
            ZonedDateTime now = ZonedDateTime.now(zone);
            ZonedDateTime missed = null;
            for (ZonedDateTime t = next(trigger, last.get()); !t.isAfter(now); t = next(trigger, t)) {
                missed = t;
            }
            if (missed != null) {
                LOG.info("job " + job + ": the run of " + missed + " was missed while no replica ran; running it once now");
                fire(job, missed, true);
            }
        } catch (SQLException e) {
            LOG.warning("job " + job + ": cannot read its schedule history (" + e.getMessage() + "); no catch-up run");
        }
    }

    private void fire(String job, ZonedDateTime at, boolean catchUp) {
        if (stopped) {
            return; // the application is stopping: the next start catches this run up
        }
        try (Connection c = dataSource.getConnection()) {
            if (!claim(c, job, at, catchUp)) {
                return; // another replica has it
            }
            Properties parameters = new Properties();
            parameters.setProperty("scheduledFor", at.toInstant().toString());
            long execution = BatchRuntime.getJobOperator().start(job, parameters);
            try (PreparedStatement s = c.prepareStatement("UPDATE job_schedule_run SET execution_id = ? WHERE job = ? AND scheduled_for = ?")) {
                s.setLong(1, execution);
                s.setString(2, job);
                s.setTimestamp(3, Timestamp.from(at.toInstant()));
                s.executeUpdate();
            }
            LOG.info("scheduled job " + job + " of " + at + " started as execution " + execution + " on " + replica);
        } catch (Exception e) {
            metrics.counter(org.eclipse.microprofile.metrics.Metadata.builder().withName("seraphim_job_schedule_failures_total")
                    .withDescription("Scheduled job runs that could not be started (each is logged)").build(),
                    new org.eclipse.microprofile.metrics.Tag("job", job)).inc();
            LOG.log(Level.SEVERE, "scheduled job " + job + " of " + at + " could not be started", e);
        }
    }

    private boolean claim(Connection c, String job, ZonedDateTime at, boolean catchUp) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO job_schedule_run (job, scheduled_for, claimed_by, catch_up)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, job);
            s.setTimestamp(2, Timestamp.from(at.toInstant()));
            s.setString(3, replica);
            s.setBoolean(4, catchUp);
            return s.executeUpdate() == 1;
        }
    }

    private Optional<ZonedDateTime> lastScheduled(String job, ZoneId zone) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT max(scheduled_for) FROM job_schedule_run WHERE job = ?")) {
            s.setString(1, job);
            try (ResultSet r = s.executeQuery()) {
                Timestamp t = r.next() ? r.getTimestamp(1) : null;
                return Optional.ofNullable(t).map(x -> x.toInstant().atZone(zone));
            }
        }
    }
}
