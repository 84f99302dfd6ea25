package ai.refinery.training.decode;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Teacher-forced response logits against the graph's full-window forward pass. */
class TeacherForcingTest {

    @Test
    void responseLogitsMatchTheFullWindowAtEveryResponsePosition() {
        ComputationGraph g = CachedDecoderTest.randomGraph(11);
        TeacherForcing tf = new TeacherForcing(DecoderWeights.from(g), 0);
        Random r = new Random(5);
        for (int promptLength : new int[] {1, 4, 7}) {
            int responseLength = CachedDecoderTest.T - promptLength + 1;
            int[] prompt = new int[promptLength];
            int[] response = new int[responseLength];
            for (int i = 0; i < promptLength; i++) {
                prompt[i] = r.nextInt(CachedDecoderTest.VOCAB);
            }
            for (int i = 0; i < responseLength; i++) {
                response[i] = r.nextInt(CachedDecoderTest.VOCAB);
            }
            assertTrue(tf.fits(prompt, response));
            int[] window = new int[CachedDecoderTest.T];
            System.arraycopy(prompt, 0, window, 0, promptLength);
            System.arraycopy(response, 0, window, promptLength, responseLength - 1);
            float[][] full = CachedDecoderTest.fullWindowLogits(g, window);
            float[][] got = tf.responseLogits(prompt, response);
            assertEquals(responseLength, got.length);
            for (int i = 0; i < responseLength; i++) {
                float[] expected = full[promptLength - 1 + i];
                for (int v = 0; v < expected.length; v++) {
                    assertEquals(expected[v], got[i][v], 1e-4, "prompt " + promptLength + ", response token " + i + ", id " + v);
                }
            }
            // One token more does not fit.
            assertFalse(tf.fits(prompt, java.util.Arrays.copyOf(response, responseLength + 1)));
            assertThrows(IllegalArgumentException.class,
                    () -> tf.responseLogits(prompt, java.util.Arrays.copyOf(response, responseLength + 1)));
        }
    }

    @Test
    void rankAndProbability() {
        float[] logits = {1f, 3f, 2f, 3f, -1f};
        assertEquals(1, TeacherForcing.rank(logits, 1, 5, -1));
        assertEquals(1, TeacherForcing.rank(logits, 3, 5, -1));
        assertEquals(3, TeacherForcing.rank(logits, 2, 5, -1));
        // Ids at or above the limit and the skipped id are not counted.
        assertEquals(2, TeacherForcing.rank(logits, 2, 3, -1));
        assertEquals(2, TeacherForcing.rank(logits, 2, 5, 1));
        double z = Math.exp(1) + 2 * Math.exp(3) + Math.exp(2) + Math.exp(-1);
        assertEquals(Math.exp(2) / z, TeacherForcing.probability(logits, 2), 1e-9);
    }
}
