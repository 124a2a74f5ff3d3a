package org.sipbastion.gateway.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Cidr;
import org.sipbastion.tier1.rules.CidrSet;
import org.sipbastion.tier1.rules.DenyFeed;

/**
 * Reads the rule files' deny feeds, from files or over HTTP, on a thread of its own, again every
 * feed's {@code refresh}; hands the union of all of them to tier 1 as one {@link CidrSet}. A read
 * that fails (unreadable file, HTTP error or timeout, a list with no address in it) keeps that
 * feed's last good list and raises a {@code deny_list} alarm. Lists are capped at 16 MiB.
 */
public final class DenyFeeds implements AutoCloseable {
    private static final long MAX_BYTES = 16L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Consumer<CidrSet> apply;
    private final AlarmListener alarms;
    private final PrintStream log;
    private final ScheduledExecutorService thread;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Map<String, List<Cidr>> lists = new HashMap<>();
    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();
    private List<DenyFeed> feeds = List.of();

    public DenyFeeds(Consumer<CidrSet> apply, AlarmListener alarms, PrintStream log) {
        this.apply = apply;
        this.alarms = alarms;
        this.log = log;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bastion-feeds");
            t.setDaemon(true);
            return t;
        });
    }

    /** Follows a (new) set of feeds: reads them all now, then each on its own schedule. */
    public void follow(List<DenyFeed> next) {
        thread.execute(() -> {
            schedules.forEach(f -> f.cancel(false));
            schedules.clear();
            feeds = List.copyOf(next);
            lists.keySet().retainAll(feeds.stream().map(DenyFeed::name).toList());
            for (DenyFeed f : feeds) {
                read(f);
                long every = f.refreshNanos();
                schedules.add(thread.scheduleWithFixedDelay(() -> {
                    read(f);
                    publish();
                }, every, every, TimeUnit.NANOSECONDS));
            }
            publish();
        });
    }

    /** Waits until the work queued so far (reads included) is done; for tests and orderly starts. */
    public void settle() throws InterruptedException {
        try {
            thread.submit(() -> { }).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the feed thread did not answer", e);
        }
    }

    private void publish() {
        List<Cidr> all = new ArrayList<>();
        lists.values().forEach(all::addAll);
        apply.accept(CidrSet.of(all));
    }

    private void read(DenyFeed f) {
        List<String> problems = new ArrayList<>();
        try {
            List<Cidr> blocks = DenyFeed.parse(f.origin(), text(f), problems);
            problems.forEach(p -> log.println("bastion: deny feed " + f.name() + ": " + p));
            if (blocks.isEmpty() && !problems.isEmpty()) {
                throw new IOException("no address in it");
            }
            lists.put(f.name(), blocks);
        } catch (IOException | RuntimeException e) {
            List<Cidr> kept = lists.get(f.name());
            alarms.alarm(new Alarm(System.nanoTime(), Detector.DENY_LIST, "deny feed " + f.name() + " (" + f.origin()
                + ") could not be read: " + e.getMessage() + "; " + (kept == null ? "nothing" : kept.size() + " blocks")
                + " of the last good list kept", List.of()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String text(DenyFeed f) throws IOException, InterruptedException {
        if (f.file() != null) {
            if (Files.size(f.file()) > MAX_BYTES) {
                throw new IOException("larger than " + MAX_BYTES + " bytes");
            }
            return Files.readString(f.file(), StandardCharsets.UTF_8);
        }
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(f.url()).timeout(TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            byte[] body = in.readNBytes((int) MAX_BYTES + 1);
            if (body.length > MAX_BYTES) {
                throw new IOException("larger than " + MAX_BYTES + " bytes");
            }
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Loads feeds once, for a run that does not last (replay): the union, problems reported. */
    public static CidrSet loadOnce(List<DenyFeed> feeds, PrintStream log) throws InterruptedException {
        List<Alarm> failed = new ArrayList<>();
        CidrSet[] result = {CidrSet.EMPTY};
        try (DenyFeeds d = new DenyFeeds(s -> result[0] = s, failed::add, log)) {
            d.follow(feeds);
            d.settle();
        }
        failed.forEach(a -> log.println("bastion: " + a.summary()));
        return result[0];
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
