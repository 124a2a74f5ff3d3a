package org.sipbastion.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the lines appended to a log file since the last call. Rereading a whole log per message
 * would make feeding thousands of messages quadratic.
 */
final class LogTail {

    private final Path file;
    private long offset;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    LogTail(Path file) {
        this.file = file;
    }

    /** Complete lines written since the previous call; a line still being written waits for the next. */
    List<String> newLines() {
        List<String> lines = new ArrayList<>();
        try {
            if (!Files.exists(file)) {
                return lines;
            }
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length <= offset) {
                    return lines;
                }
                byte[] chunk = new byte[(int) Math.min(length - offset, 1 << 20)];
                in.seek(offset);
                in.readFully(chunk);
                offset += chunk.length;
                for (byte b : chunk) {
                    if (b == '\n') {
                        // Lenient UTF-8: logs hold raw bytes of malformed messages.
                        String line = partial.toString(StandardCharsets.UTF_8);
                        lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
                        partial.reset();
                    } else {
                        partial.write(b);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
