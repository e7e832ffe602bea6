package dev.seraphim.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** All of Seraphim's HTTP APIs: OIP v2 under /v2, our own under /api/v1. */
@ApplicationPath("/")
public class SeraphimApi extends Application {
}
