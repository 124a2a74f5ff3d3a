package org.sipbastion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Directories for the configs, logs and traces of one test's peers, under {@code target/} so that
 * {@code mvn clean} removes them and a failed CI run still has them to look at.
 */
public final class RunDirs {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private RunDirs() {
    }

    /**
     * A new directory {@code target/testkit-runs/<name>-<time>-<n>} below the working directory,
     * which Surefire sets to the module being tested.
     */
    public static Path create(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        Path dir = Path.of("target", "testkit-runs",
                safe + "-" + LocalDateTime.now().format(STAMP) + "-" + SEQUENCE.incrementAndGet()).toAbsolutePath();
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
