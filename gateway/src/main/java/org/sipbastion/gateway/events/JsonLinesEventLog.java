package org.sipbastion.gateway.events;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import org.sipbastion.tier1.event.EventSink;
import org.sipbastion.tier1.event.SecurityEvent;

/**
 * Tier 1's events as JSON lines in a file, one object a line, rotated by size: {@code FILE} is the
 * current one, {@code FILE.1} to {@code FILE.N} older ones. Event loops hand events over through a
 * bounded queue and never wait: when it is full the event is counted as lost. One writer thread
 * does the disk work.
 */
public final class JsonLinesEventLog extends BackgroundWriter<SecurityEvent> implements EventSink {
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final LongAdder lost = new LongAdder();
    private final LongAdder written = new LongAdder();
    private BufferedWriter out;
    private long size;

    /**
     * @param maxBytes rotate when the current file passes this size
     * @param keep     rotated files kept (older ones are deleted)
     * @param capacity events the queue holds before new ones are lost
     */
    public JsonLinesEventLog(Path file, long maxBytes, int keep, int capacity, PrintStream log) throws IOException {
        super("bastion-events", "the event log " + file, capacity, log);
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        open();
        start();
    }

    @Override
    public boolean offer(SecurityEvent e) {
        if (enqueue(e)) {
            return true;
        }
        lost.increment();
        return false;
    }

    /** Events refused because the queue was full. */
    public long lost() {
        return lost.sum();
    }

    public long written() {
        return written.sum();
    }

    @Override
    protected void write(SecurityEvent e) throws IOException {
        String line = json(e);
        out.write(line);
        out.write('\n');
        written.increment();
        size += line.length() + 1;
        if (size >= maxBytes) {
            rotate();
        }
    }

    @Override
    protected void idle() throws IOException {
        out.flush();
    }

    @Override
    protected void finish() {
        try {
            out.close();
        } catch (IOException ignored) {
            // Closing after a failed write: nothing more to save.
        }
    }

    private void open() throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        size = Files.size(file);
    }

    private void rotate() throws IOException {
        out.close();
        Rotation.shift(file, keep);
        open();
    }

    /** One event as a JSON object; absent fields are left out. */
    static String json(SecurityEvent e) {
        StringBuilder b = new StringBuilder(160).append('{');
        field(b, "time", Instant.ofEpochMilli(e.epochMillis()).toString());
        field(b, "detector", e.detector().label());
        field(b, "action", e.action());
        field(b, "source", e.source());
        field(b, "user", e.user());
        field(b, "method", e.method());
        field(b, "call_id", e.callId());
        field(b, "reason", e.reason());
        b.append(",\"count\":").append(e.count());
        return b.append('}').toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        if (b.length() > 1) {
            b.append(',');
        }
        Json.quote(b.append('"').append(name).append("\":"), value);
    }


}
