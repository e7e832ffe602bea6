package dev.seraphim.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerMemoryTest {
    /** As `jcmd <pid> GC.heap_info` printed it for the bench's server (G1, -Xmx1g). */
    private static final String HEAP_INFO = """
            4191:
             garbage-first heap   total 262144K, used 173470K [0x00000000c0000000, 0x0000000100000000)
              region size 4096K, 24 young (98304K), 3 survivors (12288K)
             Metaspace       used 138297K, committed 141568K, reserved 1179648K
              class space    used 17189K, committed 18496K, reserved 1048576K
            """;

    @Test
    void readsTheHeapsCommittedSizeAndAddressRange() {
        long[] heap = ServerMemory.heapRange(HEAP_INFO).orElseThrow();
        assertArrayEquals(new long[]{262144L * 1024, 0xc0000000L, 0x100000000L}, heap);
        assertTrue(ServerMemory.heapRange("4191:\nCommand executed successfully\n").isEmpty());
        assertTrue(ServerMemory.heapRange("").isEmpty());
    }

    @Test
    void sumsTheResidentPagesOfTheMappingsInsideTheHeapOnly() {
        List<String> smaps = List.of(
                "55d0c0000000-55d0c0001000 r--p 00000000 fd:01 123 /usr/lib/jvm/bin/java",
                "Size:                  4 kB",
                "Rss:                   4 kB",
                "c0000000-d0000000 rw-p 00000000 00:00 0 ",
                "Size:             262144 kB",
                "Rss:              246112 kB",
                "Pss:              246112 kB",
                "d0000000-ff800000 ---p 00000000 00:00 0 ",
                "Size:             778240 kB",
                "Rss:                   0 kB",
                "ff800000-100000000 rw-p 00000000 00:00 0 ",
                "Size:               8192 kB",
                "Rss:                8000 kB",
                "100000000-100100000 rw-p 00000000 00:00 0 ",
                "Size:               1024 kB",
                "Rss:                1024 kB",
                "7fc899210000-7fc8d8000000 ---p 00000000 00:00 0 ",
                "Size:            1030080 kB",
                "Rss:                 100 kB");
        assertEquals((246112L + 8000) * 1024, ServerMemory.residentWithin(smaps, 0xc0000000L, 0x100000000L));
        assertEquals(0, ServerMemory.residentWithin(smaps, 0x200000000L, 0x300000000L));
    }

    @Test
    void whatLiesOutsideTheHeapIsTheRestOfTheResidentSet() {
        assertEquals(700L, new ServerMemory(0, 1000, 500L, 300L, 0).outsideHeapBytes());
        assertNull(new ServerMemory(0, 1000, null, null, 0).outsideHeapBytes());
    }
}
