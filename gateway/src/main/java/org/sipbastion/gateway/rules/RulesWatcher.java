package org.sipbastion.gateway.rules;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.rules.RulesException;

/**
 * Reloads the rule files when they change (their names, sizes and modification times are polled
 * every {@code pollSeconds}) or on SIGHUP. Reading and validating happen on this watcher's own
 * thread; only a fully valid set is handed to {@code apply}. A bad set raises an alarm naming every
 * error and the running set stays.
 */
public final class RulesWatcher implements AutoCloseable {
    private final List<Path> paths;
    private final Consumer<Rules> apply;
    private final AlarmListener alarms;
    private final PrintStream log;
    private final ScheduledExecutorService thread;
    private volatile Rules running;
    private String stamp;

    public RulesWatcher(List<Path> paths, Rules running, Consumer<Rules> apply, AlarmListener alarms, PrintStream log) {
        this.paths = List.copyOf(paths);
        this.running = running;
        this.apply = apply;
        this.alarms = alarms;
        this.log = log;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bastion-rules");
            t.setDaemon(true);
            return t;
        });
        this.stamp = stamp();
    }

    /** Starts polling every {@code pollSeconds} and listening for SIGHUP. */
    public RulesWatcher start(long pollSeconds) {
        thread.scheduleWithFixedDelay(() -> {
            String now = stamp();
            if (!now.equals(stamp)) {
                stamp = now;
                reload("changed");
            }
        }, pollSeconds, pollSeconds, TimeUnit.SECONDS);
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> thread.execute(() -> reload("SIGHUP")));
        } catch (IllegalArgumentException e) {
            log.println("bastion: SIGHUP is not available here (" + e.getMessage() + "); rule files are still polled");
        }
        return this;
    }

    public Rules running() {
        return running;
    }

    /** Reads the files again; runs on the watcher's thread (tests may call it directly). */
    public void reload(String why) {
        Rules next;
        try {
            next = Rules.load(paths);
        } catch (RulesException e) {
            alarms.alarm(new Alarm(System.nanoTime(), Detector.RULES, "rule reload (" + why + ") refused, version "
                + running.version + " kept: " + String.join("; ", e.errors()), List.of()));
            return;
        } catch (RuntimeException e) {
            alarms.alarm(new Alarm(System.nanoTime(), Detector.RULES, "rule reload (" + why + ") failed, version "
                + running.version + " kept: " + e, List.of()));
            return;
        }
        List<String> restart = next.restartNeeded(running);
        apply.accept(next);
        running = next;
        log.println("bastion: rules reloaded (" + why + "): version " + next.version + ", " + next.rules.size() + " rule(s), "
            + next.profiles.size() + " profile(s)" + (restart.isEmpty() ? ""
            : "; these keep their running value until a restart: " + String.join(", ", restart)));
        log.flush();
    }

    /** Names, sizes and modification times of the rule files: any edit, addition or removal changes it. */
    private String stamp() {
        List<String> unlistable = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (Path f : Rules.files(paths, unlistable)) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                b.append(f).append(':').append(a.size()).append(':').append(a.lastModifiedTime().toMillis()).append(';');
            } catch (IOException e) {
                b.append(f).append(":missing;");
            }
        }
        return b.append(unlistable).toString();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
