package dev.seraphim.api.edge;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RequestTargetsTest {
    @Test
    void theApisOwnTargetsPass() {
        assertNull(RequestTargets.firstIllegal("/v2/models/tabular-mlp/versions/1.0_a~b/infer", null));
        assertNull(RequestTargets.firstIllegal("/api/v1/audit", "model=tabular-mlp&from=2026-12-06T10:00:00Z&limit=10"));
        assertNull(RequestTargets.firstIllegal("/models", "url=file%3A..%2Fx.pt&model_name=a?b/c"));
        assertNull(RequestTargets.firstIllegal("/ping/..%2f", null));
    }

    @Test
    void charactersJavasUriRefusesAreNamed() {
        assertEquals("'{'", RequestTargets.firstIllegal("/v2/models/a{/b/infer", null));
        assertEquals("'<'", RequestTargets.firstIllegal("/api/v1/audit", "limit=<"));
        assertEquals("'|'", RequestTargets.firstIllegal("/x|y", null));
        assertEquals("'['", RequestTargets.firstIllegal("/x", "a[]=1"));
        assertEquals("'?'", RequestTargets.firstIllegal("/x?y", null), "a '?' in the path part itself");
        assertEquals("a character of code 32", RequestTargets.firstIllegal("/a b", null));
        assertEquals("a character of code 233", RequestTargets.firstIllegal("/caf\u00e9", null));
    }

    @Test
    void aPercentMustIntroduceTwoHexDigits() {
        assertEquals("'%' not followed by two hexadecimal digits", RequestTargets.firstIllegal("/a%zz", null));
        assertEquals("'%' not followed by two hexadecimal digits", RequestTargets.firstIllegal("/a", "b=%4"));
        assertNull(RequestTargets.firstIllegal("/a%4F", "b=%4f"));
    }
}
