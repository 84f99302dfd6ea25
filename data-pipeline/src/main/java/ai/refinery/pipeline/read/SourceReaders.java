package ai.refinery.pipeline.read;

/** The reader of each input format. */
public final class SourceReaders {
    private SourceReaders() {
    }

    /**
     * @throws IllegalArgumentException for {@link SourceFormat#PARQUET}, which Spark reads directly
     */
    public static SourceReader forFormat(SourceFormat format) {
        return switch (format) {
            case WARC, WET -> new WarcSourceReader(format);
            case JSONL -> new JsonlSourceReader();
            case TEXT -> new TextSourceReader();
            case PARQUET -> throw new IllegalArgumentException("Parquet input is read by Spark, not by a SourceReader");
        };
    }
}
