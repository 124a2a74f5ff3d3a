package org.sipbastion.perf.quality;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.sipbastion.gateway.rules.RuleFiles;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.rules.RulesException;

/**
 * The rules the harness runs: the shipped {@code rules/default.rules} unchanged, plus what the
 * operator of this simulated site writes for it, as docs/rules.md tells them to: the office behind
 * one NAT address is judged per user rather than per address, and the PBX trunk is trusted.
 */
final class SiteRules {
    static final String SITE = """
        # The simulated site (perf-tests DetectionQuality): an office of 300 phones behind one NAT
        # address, judged per SIP user, and a PBX trunk placing calls for many extensions.
        [profile office]
        source = 192.0.2.50/32
        judge_address = no

        [profile pbx-trunk]
        source = 192.0.2.60/32
        trusted = yes
        """;

    private static final java.util.regex.Pattern EPSILON =
        java.util.regex.Pattern.compile("(?m)^flood_dispersion\\s*=\\s*[0-9.]+");

    private SiteRules() {
    }

    static String shipped() {
        try (InputStream in = RuleFiles.class.getResourceAsStream("default.rules")) {
            if (in == null) {
                throw new IllegalStateException("default.rules is not in the gateway jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The site's rules, with the flood epsilon replaced when {@code epsilon} is a number (the sweep). */
    static Rules of(double epsilon) {
        String shipped = shipped();
        if (!Double.isNaN(epsilon)) {
            java.util.regex.Matcher m = EPSILON.matcher(shipped);
            if (!m.find()) {
                throw new IllegalStateException("default.rules has no flood_dispersion line to sweep");
            }
            shipped = m.replaceFirst("flood_dispersion = " + epsilon);
        }
        try {
            return Rules.parse(List.of(new Rules.Source("default.rules", shipped), new Rules.Source("site.rules", SITE)));
        } catch (RulesException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
