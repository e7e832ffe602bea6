package dev.seraphim.drift;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureBinsTest {
    @Test
    void decileEdgesGiveEqualReferenceBins() {
        double[] sample = new double[1000];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = i;
        }
        double[] edges = FeatureBins.edges(sample, sample.length, 10);
        assertArrayEquals(new double[]{100, 200, 300, 400, 500, 600, 700, 800, 900}, edges);
        long[] counts = FeatureBins.counts(edges, sample, sample.length);
        for (long c : counts) {
            assertEquals(100, c);
        }
    }

    @Test
    void aValueOnAnEdgeGoesToTheBinAbove() {
        double[] edges = {1, 2, 3};
        assertEquals(0, FeatureBins.bin(edges, 0.5));
        assertEquals(1, FeatureBins.bin(edges, 1));
        assertEquals(2, FeatureBins.bin(edges, 2.5));
        assertEquals(3, FeatureBins.bin(edges, 3));
        assertEquals(3, FeatureBins.bin(edges, 99));
    }

    @Test
    void repeatedValuesMakeFewerBins() {
        double[] sample = {5, 5, 5, 5, 5, 5, 5, 5, 7, 7};
        assertArrayEquals(new double[]{5, 7}, FeatureBins.edges(sample, sample.length, 10));
    }

    @Test
    void psiIsZeroForTheSameShareAndKnownForAKnownShift() {
        assertEquals(0, FeatureBins.psi(new long[]{50, 50}, new long[]{500, 500}), 1e-12);
        // shares 0.5/0.5 against 0.9/0.1: (0.9-0.5)ln(1.8) + (0.1-0.5)ln(0.2)
        double expected = 0.4 * Math.log(1.8) + -0.4 * Math.log(0.2);
        assertEquals(expected, FeatureBins.psi(new long[]{50, 50}, new long[]{90, 10}), 1e-12);
    }

    @Test
    void aShiftedNormalDriftsAndASecondSampleOfTheSameDoesNot() {
        Random random = new Random(3);
        double[] reference = new double[2000];
        for (int i = 0; i < reference.length; i++) {
            reference[i] = random.nextGaussian();
        }
        double[] edges = FeatureBins.edges(reference, reference.length, 10);
        long[] refCounts = FeatureBins.counts(edges, reference, reference.length);
        double[] same = new double[2000];
        double[] shifted = new double[2000];
        for (int i = 0; i < same.length; i++) {
            same[i] = random.nextGaussian();
            shifted[i] = random.nextGaussian() + 1.5;
        }
        double stable = FeatureBins.psi(refCounts, FeatureBins.counts(edges, same, same.length));
        double drifted = FeatureBins.psi(refCounts, FeatureBins.counts(edges, shifted, shifted.length));
        assertTrue(stable < 0.05, "same distribution: PSI " + stable);
        assertTrue(drifted > 0.3, "shifted by 1.5 sd: PSI " + drifted);
    }
}
