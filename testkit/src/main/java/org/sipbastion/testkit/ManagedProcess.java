package org.sipbastion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * An external program run by a test: output goes to files, every wait has a deadline, and
 * {@link #close()} ends the program together with everything it forked.
 *
 * <p>Output is redirected by the OS straight into {@code <name>.stdout.log} and
 * {@code <name>.stderr.log} in the run directory, so a chatty program can never block on a full
 * pipe and the files stay for a person to read after a failure.
 */
public final class ManagedProcess implements AutoCloseable {

    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofMillis(50);

    /** Processes not yet closed, so that a JVM that dies mid-test does not leave them running. */
    private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "testkit-watchdog");
        t.setDaemon(true);
        return t;
    });

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> List.copyOf(LIVE).forEach(ManagedProcess::close), "testkit-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final ScheduledFuture<?> lifetimeLimit;
    /**
     * Descendants seen so far. Kept because once the parent has died its children are re-parented
     * to init and {@link ProcessHandle#descendants()} no longer finds them.
     */
    private final Set<ProcessHandle> knownDescendants = ConcurrentHashMap.newKeySet();

    private ManagedProcess(String name, Process process, Path stdout, Path stderr, Duration maxLifetime) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        LIVE.add(this);
        this.lifetimeLimit = WATCHDOG.schedule(() -> {
            if (process.isAlive()) {
                System.err.println("*** testkit: " + name + " still running after its limit of "
                        + maxLifetime.toSeconds() + " s: killing it ***");
                close();
            }
        }, maxLifetime.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts {@code command} with its output in {@code runDir}. The program is killed when
     * {@code maxLifetime} has passed, whatever the test is doing, so that no test can hang on it.
     */
    public static ManagedProcess start(String name, List<String> command, Path runDir, Duration maxLifetime) {
        try {
            Files.createDirectories(runDir);
            Path out = runDir.resolve(name + ".stdout.log");
            Path err = runDir.resolve(name + ".stderr.log");
            Files.writeString(runDir.resolve(name + ".cmd"), String.join(" ", command) + "\n");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(runDir.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            Process process = builder.start();
            // Nothing is ever typed: give the program end-of-file rather than a pipe that stays open.
            process.getOutputStream().close();
            return new ManagedProcess(name, process, out, err, maxLifetime);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path stdoutFile() {
        return stdout;
    }

    public Path stderrFile() {
        return stderr;
    }

    public List<String> stdoutLines() {
        return readLines(stdout);
    }

    public List<String> stderrLines() {
        return readLines(stderr);
    }

    /**
     * Waits until {@code ready} is true. Fails at once if the program exits first, and after
     * {@code timeout} otherwise, with the end of its output in the message.
     */
    public void awaitReady(String what, Duration timeout, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            rememberDescendants();
            if (ready.getAsBoolean()) {
                rememberDescendants();
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with code " + process.exitValue()
                        + " before " + what + "\n" + tail(40));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(name + " not " + what + " within " + timeout.toMillis() + " ms\n" + tail(40));
            }
            sleep(POLL);
        }
    }

    /** Exit code, waiting at most {@code timeout}; on timeout the program is killed and the test fails. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError(name + " did not exit within " + timeout.toMillis() + " ms (killed)\n" + tail(40));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new AssertionError("interrupted while waiting for " + name, e);
        }
    }

    /** Exit code if the program has ended. */
    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /** The last lines of stderr and stdout, for failure messages. */
    public String tail(int lines) {
        return "--- " + name + " stderr (" + stderr + ") ---\n" + lastLines(stderrLines(), lines)
                + "--- " + name + " stdout (" + stdout + ") ---\n" + lastLines(stdoutLines(), lines);
    }

    /**
     * Ends the program and all its descendants: SIGTERM first so that they can clean up, SIGKILL
     * for whatever is still there after a grace period. Safe to call more than once.
     */
    @Override
    public void close() {
        lifetimeLimit.cancel(false);
        rememberDescendants();
        Set<ProcessHandle> all = new LinkedHashSet<>();
        all.add(process.toHandle());
        all.addAll(knownDescendants);
        all.forEach(ProcessHandle::destroy);
        if (!awaitGone(all, GRACE)) {
            all.forEach(ProcessHandle::destroyForcibly);
            if (!awaitGone(all, GRACE)) {
                System.err.println("*** testkit: could not kill " + name + " processes "
                        + all.stream().filter(ProcessHandle::isAlive).map(h -> Long.toString(h.pid()))
                        .collect(Collectors.joining(",")) + " ***");
            }
        }
        LIVE.remove(this);
    }

    private void rememberDescendants() {
        if (process.isAlive()) {
            process.descendants().forEach(knownDescendants::add);
        }
    }

    private static boolean awaitGone(Set<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (handles.stream().anyMatch(ProcessHandle::isAlive)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            sleep(Duration.ofMillis(20));
        }
        return true;
    }

    static List<String> readLines(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            // Logs can hold raw bytes of malformed messages: decode leniently, never throw.
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\r?\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lastLines(List<String> lines, int n) {
        List<String> last = new ArrayList<>(lines.subList(Math.max(0, lines.size() - n), lines.size()));
        return last.isEmpty() ? "(empty)\n" : String.join("\n", last) + "\n";
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
