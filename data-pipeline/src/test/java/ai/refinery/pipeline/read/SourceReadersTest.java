package ai.refinery.pipeline.read;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SourceReadersTest {
    @Test
    void oneReaderPerFormatAndNoneForParquet() {
        assertInstanceOf(WarcSourceReader.class, SourceReaders.forFormat(SourceFormat.WARC));
        assertInstanceOf(WarcSourceReader.class, SourceReaders.forFormat(SourceFormat.WET));
        assertInstanceOf(JsonlSourceReader.class, SourceReaders.forFormat(SourceFormat.JSONL));
        assertInstanceOf(TextSourceReader.class, SourceReaders.forFormat(SourceFormat.TEXT));
        assertThrows(IllegalArgumentException.class, () -> SourceReaders.forFormat(SourceFormat.PARQUET));
    }
}
