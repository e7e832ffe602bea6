package dev.seraphim.api.health;

import dev.seraphim.api.errors.ErrorShape;
import dev.seraphim.api.errors.ErrorStyle;
import dev.seraphim.inference.status.ServingStatus;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The runbooks' {@code POST /api/system/clear_gpu_cache}: hands the blocks libtorch's CUDA caching allocator keeps
 * but no tensor uses back to the driver (what {@code torch.cuda.empty_cache()} does). On a CPU engine there is no
 * such cache: the answer says so and nothing happens.
 */
@ErrorShape(ErrorStyle.PROBLEM)
@Path("api/system/clear_gpu_cache")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class GpuCacheResource {
    @Inject
    ServingStatus engine;

    @POST
    public String clear() {
        var outcome = engine.clearGpuCache();
        var body = Json.createObjectBuilder().add("device", engine.device()).add("cleared", outcome.isPresent());
        outcome.ifPresentOrElse(u -> body.add("reserved_bytes_after", u.reservedBytes()).add("allocated_bytes_after", u.allocatedBytes()),
                () -> body.add("message", "the engine runs on " + engine.device() + ": there is no GPU cache to clear"));
        return body.build().toString();
    }
}
