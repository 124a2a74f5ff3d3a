package org.sipbastion.gateway.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BackgroundWriterTest {
    @Test
    void closeWritesWhatIsQueuedThenFinishes() {
        List<String> seen = new CopyOnWriteArrayList<>();
        BackgroundWriter<String> w = new BackgroundWriter<>("t", "test", 100, System.err) {
            @Override
            protected void write(String item) {
                seen.add(item);
            }

            @Override
            protected void finish() {
                seen.add("finished");
            }
        };
        w.start();
        for (int i = 0; i < 50; i++) {
            assertTrue(w.enqueue("i" + i));
        }
        w.close();
        assertEquals(51, seen.size());
        assertEquals("finished", seen.get(50));
    }

    @Test
    @Timeout(10)
    void aWriterThatFailedSaysSoOnceAndItsCloseDoesNotHangOnAFullQueue() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BackgroundWriter<String> w = new BackgroundWriter<>("t", "the test file", 4, new PrintStream(log, true,
            StandardCharsets.UTF_8)) {
            @Override
            protected void write(String item) throws java.io.IOException {
                throw new java.io.IOException("disk full");
            }
        };
        w.start();
        w.enqueue("first");
        long end = System.nanoTime() + 5_000_000_000L;
        while (!log.toString(StandardCharsets.UTF_8).contains("disk full") && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        for (int i = 0; i < 10; i++) {
            w.enqueue("more" + i);
        }
        assertFalse(w.enqueue("one too many"), "the dead writer's queue stays full");
        w.close();
        assertEquals("bastion: the test file failed, nothing more is written: java.io.IOException: disk full\n",
            log.toString(StandardCharsets.UTF_8));
    }
}
