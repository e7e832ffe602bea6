package dev.seraphim.bench;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * A closed loop: {@code concurrency} clients, each sending its next request when the last one answered, for a
 * warm-up and then a measured time. Two of them: wrk (Debian's package, C and epoll: the least CPU taken from
 * the server's cores) when it is installed, else Java's HttpClient.
 */
interface LoadGenerator {
    /** {@code cpu}: the server's CPU meter, read over the measured time only. */
    ClosedLoop.Result run(LoadRequest request, int concurrency, double warmupSeconds, double seconds, ServerCpu cpu) throws Exception;

    String description();

    static LoadGenerator choose(String wanted) {
        boolean wrk = Wrk.installed();
        if ("wrk".equals(wanted) && !wrk) {
            throw new IllegalStateException("--load wrk: wrk is not installed (apt-get install wrk)");
        }
        if ("java".equals(wanted) || !wrk) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            return new LoadGenerator() {
                @Override
                public ClosedLoop.Result run(LoadRequest request, int concurrency, double warmupSeconds, double seconds, ServerCpu cpu)
                        throws InterruptedException {
                    return ClosedLoop.run(http, request.toHttp(), request.body() != null, concurrency, warmupSeconds, seconds, cpu);
                }

                @Override
                public String description() {
                    return "Java HttpClient (HTTP/1.1), closed loop, one thread per client";
                }
            };
        }
        return new Wrk();
    }
}
