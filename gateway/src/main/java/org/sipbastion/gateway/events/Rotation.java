package org.sipbastion.gateway.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Size-rotated files: {@code FILE} is the current one, {@code FILE.1} to {@code FILE.keep} older ones. */
public final class Rotation {
    private Rotation() {
    }

    /** Moves FILE to FILE.1, FILE.1 to FILE.2 and so on; the oldest beyond {@code keep} is deleted. */
    public static void shift(Path file, int keep) throws IOException {
        Files.deleteIfExists(rotated(file, keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(file, i))) {
                Files.move(rotated(file, i), rotated(file, i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, rotated(file, 1), StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path rotated(Path file, int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }
}
