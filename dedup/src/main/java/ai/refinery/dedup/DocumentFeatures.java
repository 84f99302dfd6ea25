package ai.refinery.dedup;

import net.jpountz.xxhash.XXHash64;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Everything dedup needs from one text, computed in one pass so the text is normalised once: the 128-bit
 * exact key, the length for the survivor rule, and (when near-duplicate detection is on) the band keys and,
 * depending on the verification mode, the MinHash signature or the shingle set.
 */
public final class DocumentFeatures implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long EXACT_SEED_1 = 0x243F6A8885A308D3L;
    private static final long EXACT_SEED_2 = 0x13198A2E03707344L;
    /** Different seeds for raw-text keys, used when the normalised text is empty. */
    private static final long RAW_SEED_1 = 0xA4093822299F31D0L;
    private static final long RAW_SEED_2 = 0x082EFA98EC4E6C89L;

    public static final StructType SCHEMA = new StructType()
            .add("exact_hi", DataTypes.LongType, false)
            .add("exact_lo", DataTypes.LongType, false)
            .add("length", DataTypes.IntegerType, false)
            .add("bands", DataTypes.createArrayType(DataTypes.LongType, false), true)
            .add("signature", DataTypes.createArrayType(DataTypes.LongType, false), true)
            .add("shingles", DataTypes.createArrayType(DataTypes.LongType, false), true);

    private final boolean near;
    private final Verification verification;
    private final Shingler shingler;
    private final MinHasher minHasher;

    private final boolean keepSignature;
    private final boolean keepShingles;

    public DocumentFeatures(DedupSettings settings) {
        this(settings, false, false);
    }

    /**
     * @param keepSignature also keep the MinHash signature when verification does not need it (for the index)
     * @param keepShingles  also keep the shingle set when verification does not need it (for the index)
     */
    public DocumentFeatures(DedupSettings settings, boolean keepSignature, boolean keepShingles) {
        this.near = settings.nearEnabled();
        this.verification = settings.verification();
        this.shingler = settings.shingler();
        this.minHasher = settings.minHasher();
        this.keepSignature = keepSignature;
        this.keepShingles = keepShingles;
    }

    /** Exact key of a text: two xxHash64 values of the normalised text (of the raw text if that is empty). */
    public static long[] exactKey(String text, String normalized) {
        XXHash64 xx = Shingler.hasher();
        byte[] bytes;
        long s1;
        long s2;
        if (normalized.isEmpty()) {
            bytes = (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
            s1 = RAW_SEED_1;
            s2 = RAW_SEED_2;
        } else {
            bytes = normalized.getBytes(StandardCharsets.UTF_8);
            s1 = EXACT_SEED_1;
            s2 = EXACT_SEED_2;
        }
        return new long[] {xx.hash(bytes, 0, bytes.length, s1), xx.hash(bytes, 0, bytes.length, s2)};
    }

    public Row compute(String text) {
        String normalized = TextNormalizer.normalize(text);
        long[] key = exactKey(text, normalized);
        int length = text == null ? 0 : text.codePointCount(0, text.length());
        long[] bands = null;
        long[] signature = null;
        long[] shingles = null;
        if (near) {
            shingles = shingler.shingles(normalized);
            long[] sig = minHasher.signature(shingles);
            bands = minHasher.bandKeys(sig);
            if (verification == Verification.ESTIMATED || keepSignature) {
                signature = sig;
            }
            if (verification != Verification.EXACT && !keepShingles) {
                shingles = null;
            }
        }
        return RowFactory.create(key[0], key[1], length, box(bands), box(signature), box(shingles));
    }

    private static Long[] box(long[] values) {
        if (values == null) {
            return null;
        }
        Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    /** Similarity of two documents' verification data (signatures or shingle sets), as the settings ask. */
    public static double similarity(Verification mode, long[] a, long[] b) {
        return mode == Verification.EXACT ? Shingler.jaccard(a, b) : MinHasher.estimate(a, b);
    }
}
