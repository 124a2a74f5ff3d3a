package org.sipbastion.gateway.state;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sipbastion.tier1.bloom.Baseline;
import org.sipbastion.tier1.rules.Rules;

/**
 * The call-rate stage's learned baseline on disk ({@code STATE_DIR/tier1-baseline}), so that a
 * restarted gateway does not spend another learning period blind.
 */
public final class BaselineStore {
    public static final String FILE = "tier1-baseline";

    private BaselineStore() {
    }

    /** The baseline saved in {@code stateDir}, or null (none saved, unreadable: then it learns anew). */
    public static Baseline restore(Path stateDir, Rules rules, PrintStream log) {
        if (stateDir == null || rules.baselineMean != null) {
            return null;
        }
        Baseline b = new Baseline(rules.sigmas, rules.floor, rules.learnSeconds, rules.adaptSeconds);
        try {
            if (b.load(stateDir.resolve(FILE))) {
                log.println("bastion: call-rate baseline restored from " + stateDir.resolve(FILE) + " (mean "
                    + Math.round(b.mean()) + ", " + b.samples() + " samples" + (b.learned() ? ")" : ", still learning)"));
                return b;
            }
        } catch (IOException e) {
            log.println("bastion: " + e.getMessage() + "; learning the call-rate baseline anew");
        }
        return null;
    }

    /** Writes a snapshot taken on the event loop; called off the loop. */
    public static void save(Path stateDir, String snapshot, PrintStream log) {
        try {
            Files.createDirectories(stateDir);
            Baseline.write(stateDir.resolve(FILE), snapshot);
        } catch (IOException e) {
            log.println("bastion: cannot save the call-rate baseline in " + stateDir + ": " + e);
        }
    }
}
