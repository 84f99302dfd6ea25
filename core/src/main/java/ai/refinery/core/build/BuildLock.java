package ai.refinery.core.build;

import ai.refinery.core.config.ConfigError;
import ai.refinery.core.output.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The lock of one build date: a file on the build's file system, so it holds across processes and machines, not
 * only in one JVM. It is created atomically (HDFS's create without overwrite; on a local file system the operating
 * system's exclusive create, since Hadoop's local create checks and then opens), and holds JSON naming its holder.
 *
 * <p>While the build runs, a heartbeat refreshes the file's modification time every {@code heartbeat} ms. A lock
 * whose modification time is older than {@code staleAfter} ms belongs to a build that died (killed, machine lost)
 * and is taken over: deleted (if it still is the same lock) and created again. Closing deletes it if it is still
 * ours.
 */
public final class BuildLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BuildLock.class);

    /** Refused because another build of the same date holds the lock: exit 2. */
    public static final class HeldError extends ConfigError {
        public HeldError(String message) {
            super(message);
        }
    }

    private final FileSystem fs;
    private final Path path;
    private final String token;
    private final ScheduledExecutorService heartbeat;

    private BuildLock(FileSystem fs, Path path, String token, long heartbeatMs) {
        this.fs = fs;
        this.path = path;
        this.token = token;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "build-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::beat, heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock or refuses.
     *
     * @param about what the holder is (plan, date), recorded in the lock for whoever is refused
     * @throws HeldError when a live build holds it
     */
    public static BuildLock acquire(Configuration conf, String lockPath, Map<String, ?> about, long heartbeatMs,
                                    long staleAfterMs) {
        try {
            Path path = new Path(lockPath);
            FileSystem fs = path.getFileSystem(conf);
            path = fs.makeQualified(path);
            fs.mkdirs(path.getParent());
            String token = UUID.randomUUID().toString();
            Map<String, Object> content = new LinkedHashMap<>();
            content.put("token", token);
            content.put("host", host());
            content.put("pid", ProcessHandle.current().pid());
            content.put("started_at", Instant.now().toString());
            content.putAll(about);
            String json = Json.write(content);
            if (create(fs, path, json)) {
                return new BuildLock(fs, path, token, heartbeatMs);
            }
            FileStatus status = status(fs, path);
            String held = read(fs, path);
            if (status != null) {
                long age = System.currentTimeMillis() - status.getModificationTime();
                if (age <= staleAfterMs) {
                    throw new HeldError("another build of this date is running: " + path + " is held by " + describe(held)
                            + ", refreshed " + age / 1000 + " s ago (a lock not refreshed for "
                            + staleAfterMs / 1000 + " s is stale and taken over: build.lock.stale_after_s)");
                }
                // Delete only the lock that was judged stale, not one a third build created meanwhile.
                if (held.equals(read(fs, path))) {
                    LOG.warn("Taking over a stale build lock {} (last refreshed {} s ago): {}", path, age / 1000, describe(held));
                    fs.delete(path, false);
                }
            }
            if (create(fs, path, json)) {
                return new BuildLock(fs, path, token, heartbeatMs);
            }
            throw new HeldError("another build of this date is running: " + path + " is held by " + describe(read(fs, path)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the build lock " + lockPath, e);
        }
    }

    /** Atomic create: false when the file exists. */
    private static boolean create(FileSystem fs, Path path, String content) throws IOException {
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRaw() : fs;
        if (raw instanceof RawLocalFileSystem local) {
            java.nio.file.Path file = local.pathToFile(path).toPath();
            try {
                Files.createFile(file); // O_CREAT | O_EXCL
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
            Files.writeString(file, content);
            return true;
        }
        try (FSDataOutputStream out = fs.create(path, false)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            // Some file systems report an existing file with a plain IOException.
            if (fs.exists(path)) {
                return false;
            }
            throw e;
        }
    }

    private static FileStatus status(FileSystem fs, Path path) throws IOException {
        try {
            return fs.getFileStatus(path);
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    private static String read(FileSystem fs, Path path) {
        try (InputStream in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String describe(String json) {
        if (json.isBlank()) {
            return "a build that is starting";
        }
        try {
            Map<String, Object> m = Json.readMap(json);
            return "host " + m.get("host") + ", pid " + m.get("pid") + ", started " + m.get("started_at")
                    + (m.containsKey("plan") ? ", plan " + m.get("plan") : "");
        } catch (RuntimeException e) {
            return "an unreadable lock";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }

    public String path() {
        return path.toString();
    }

    private void beat() {
        try {
            fs.setTimes(path, System.currentTimeMillis(), -1);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not refresh the build lock {}: {}", path, e.toString());
        }
    }

    /** Stops the heartbeat and deletes the lock if it is still this build's. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            String held = read(fs, path);
            if (held.contains(token)) {
                fs.delete(path, false);
            } else {
                LOG.warn("The build lock {} is no longer this build's (taken over as stale?); left as it is", path);
            }
        } catch (IOException e) {
            LOG.warn("Could not remove the build lock {}: {}", path, e.toString());
        }
    }
}
