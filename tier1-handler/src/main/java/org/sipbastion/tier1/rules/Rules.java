package org.sipbastion.tier1.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sipbastion.tier1.auth.AuthFailureStage;
import org.sipbastion.tier1.bloom.CallRateStage;
import org.sipbastion.tier1.dialog.DialogFilter;
import org.sipbastion.tier1.dispersion.ControlStage;

/**
 * A validated set of tier 1 rules: the detectors' thresholds, the profiles and the match rules,
 * read from one or more rule files (see docs/rules.md). Immutable; a reload builds a new one and
 * swaps it in only when it is entirely valid.
 */
public final class Rules {
    private static final long SECOND = 1_000_000_000L;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,9})?)(ms|s|m|h|d)");
    private static final Pattern RATE = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,9})?)/(s|m|h)");
    private static final Pattern INTEGER = Pattern.compile("\\d{1,12}");
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,12}(?:\\.\\d{1,9})?");

    public final CallRateStage.Settings callRate;
    public final ControlStage.Settings control;
    public final DialogFilter.Settings dialogs;
    public final AuthFailureStage.Settings auth;
    public final double sigmas;
    public final double floor;
    public final long learnSeconds;
    public final long adaptSeconds;
    /** Fixed baseline (both set) or learned (both null). */
    public final Double baselineMean;
    public final Double baselineStd;
    public final long offenderBlockNanos;
    /** Shed new calls from unknown addresses while the call-rate alarm lasts. */
    public final boolean shedUnknown;
    public final long knownForNanos;
    public final int knownSources;
    public final List<Profile> profiles;
    public final List<MatchRule> rules;
    public final List<DenyFeed> denyFeeds;
    public final Set<String> emergencyUsers;
    public final boolean emergencyResourcePriority;
    /** The files read, in order. */
    public final List<String> files;
    /** SHA-256 of the files' contents, in order: the rule set's version. */
    public final String version;
    private final Map<RuleKey, Object> global;

    private Rules(Map<RuleKey, Object> g, List<Profile> profiles, List<MatchRule> rules, List<DenyFeed> feeds,
                  List<String> files, String version) {
        this.denyFeeds = List.copyOf(feeds);
        this.global = g;
        this.callRate = new CallRateStage.Settings(intOf(g, RuleKey.CALL_RATE_CELLS), intOf(g, RuleKey.CALL_RATE_CELLS_PER_KEY),
            (Long) g.get(RuleKey.CALL_RATE_WINDOW), intOf(g, RuleKey.CALL_RATE_TRANSACTIONS),
            intOf(g, RuleKey.CALL_RATE_OFFENDER_MIN_OPEN));
        this.control = new ControlStage.Settings((Double) g.get(RuleKey.CONTROL_FLOOD_DISPERSION),
            (Double) g.get(RuleKey.CONTROL_FAKE_DISPERSION), (Double) g.get(RuleKey.CONTROL_FLOOD_RATE),
            intOf(g, RuleKey.CONTROL_SPAN), intOf(g, RuleKey.CONTROL_MIN_SAMPLES), intOf(g, RuleKey.CONTROL_WINDOW),
            (Long) g.get(RuleKey.CONTROL_BLOCK), (Double) g.get(RuleKey.CONTROL_RATE_LIMIT),
            intOf(g, RuleKey.CONTROL_RATE_BURST), intOf(g, RuleKey.CONTROL_ENTRIES), (Long) g.get(RuleKey.CONTROL_RATE_BLOCK));
        this.dialogs = new DialogFilter.Settings(intOf(g, RuleKey.DIALOGS_ENTRIES), (Long) g.get(RuleKey.DIALOGS_GRACE));
        this.auth = new AuthFailureStage.Settings(intOf(g, RuleKey.AUTH_FAILURES), (Double) g.get(RuleKey.AUTH_RATIO),
            (Long) g.get(RuleKey.AUTH_WINDOW), (Long) g.get(RuleKey.AUTH_BLOCK), intOf(g, RuleKey.AUTH_ENTRIES));
        this.sigmas = (Double) g.get(RuleKey.CALL_RATE_SIGMAS);
        this.floor = intOf(g, RuleKey.CALL_RATE_FLOOR);
        this.learnSeconds = (Long) g.get(RuleKey.CALL_RATE_LEARN) / SECOND;
        this.adaptSeconds = (Long) g.get(RuleKey.CALL_RATE_ADAPT) / SECOND;
        this.baselineMean = (Double) g.get(RuleKey.CALL_RATE_BASELINE_MEAN);
        this.baselineStd = (Double) g.get(RuleKey.CALL_RATE_BASELINE_STD);
        this.offenderBlockNanos = (Long) g.get(RuleKey.CALL_RATE_OFFENDER_BLOCK);
        this.shedUnknown = (Boolean) g.get(RuleKey.CALL_RATE_SHED_UNKNOWN);
        this.knownForNanos = (Long) g.get(RuleKey.CALL_RATE_KNOWN_FOR);
        this.knownSources = intOf(g, RuleKey.CALL_RATE_KNOWN_SOURCES);
        this.profiles = List.copyOf(profiles);
        this.rules = List.copyOf(rules);
        @SuppressWarnings("unchecked")
        List<String> users = (List<String>) g.get(RuleKey.EMERGENCY_USERS);
        this.emergencyUsers = Set.copyOf(users);
        this.emergencyResourcePriority = (Boolean) g.get(RuleKey.EMERGENCY_RESOURCE_PRIORITY);
        this.files = List.copyOf(files);
        this.version = version;
    }

    private static int intOf(Map<RuleKey, Object> g, RuleKey k) {
        return (int) (long) (Long) g.get(k);
    }

    /** Every default, no profile, no rule: what runs when no rule file is given. */
    public static Rules defaults() {
        try {
            return parse(List.of(new Source("(defaults)", "")));
        } catch (RulesException e) {
            throw new IllegalStateException("the built-in defaults do not validate", e);
        }
    }

    /** Reads rule files; a directory stands for its {@code *.rules} files in name order. */
    public static Rules load(List<Path> paths) throws RulesException {
        List<Source> sources = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Path f : files(paths, errors)) {
            try {
                sources.add(new Source(f.toString(), Files.readString(f, StandardCharsets.UTF_8)));
            } catch (IOException | RuntimeException e) {
                errors.add(f + ": cannot read: " + e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new RulesException(errors);
        }
        return parse(sources);
    }

    /**
     * The rule files {@code paths} stand for, in reading order: a file for itself, a directory for
     * its {@code *.rules} files in name order. A directory that cannot be listed adds an error.
     */
    public static List<Path> files(List<Path> paths, List<String> errors) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".rules")).sorted().forEach(files::add);
                } catch (IOException e) {
                    errors.add(p + ": cannot list: " + e.getMessage());
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    /** A rule file's name (for messages) and text. */
    public record Source(String name, String text) {
    }

    public static Rules parse(List<Source> sources) throws RulesException {
        List<String> errors = new ArrayList<>();
        Map<RuleKey, Object> global = new EnumMap<>(RuleKey.class);
        Map<String, String> seenAt = new java.util.HashMap<>();
        List<Profile> profiles = new ArrayList<>();
        List<MatchRule> rules = new ArrayList<>();
        List<DenyFeed> feeds = new ArrayList<>();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<String> fileNames = new ArrayList<>();
        for (Source src : sources) {
            fileNames.add(src.name());
            sha.update(src.text().getBytes(StandardCharsets.UTF_8));
            for (RuleText.Section s : RuleText.parse(src.name(), src.text(), errors)) {
                String where = src.name() + ":" + s.line() + ": ";
                boolean known = !RuleKey.of(s.kind()).isEmpty();
                if (!known) {
                    errors.add(where + "unknown section " + s.title()
                        + "; known: [call_rate] [control] [dialogs] [auth] [emergency] [profile NAME] [rule NAME]"
                        + " [deny_feed NAME]");
                    continue;
                }
                if (RuleKey.named(s.kind()) != (s.name() != null)) {
                    errors.add(where + (s.name() == null ? s.title() + " needs a name: [" + s.kind() + " NAME]"
                        : "[" + s.kind() + "] takes no name"));
                    continue;
                }
                String first = seenAt.putIfAbsent(s.title(), src.name() + ":" + s.line());
                if (first != null) {
                    errors.add(where + s.title() + " is already defined at " + first);
                    continue;
                }
                Map<RuleKey, Object> values = values(src.name(), s, errors);
                if (values == null) {
                    continue;
                }
                switch (s.kind()) {
                    case "profile" -> {
                        if (!values.containsKey(RuleKey.PROFILE_SOURCE)) {
                            errors.add(where + s.title() + " needs a source (the addresses it applies to)");
                        } else {
                            profiles.add(profile(s.name(), values));
                        }
                    }
                    case "deny_feed" -> {
                        DenyFeed f = DenyFeed.of(where, s.name(), values, errors);
                        if (f != null) {
                            feeds.add(f);
                        }
                    }
                    case "rule" -> {
                        MatchRule r = rule(where, s, values, errors);
                        if (r != null) {
                            rules.add(r);
                        }
                    }
                    default -> global.putAll(values);
                }
            }
        }
        for (RuleKey k : RuleKey.values()) {
            if (!RuleKey.named(k.section) && !global.containsKey(k) && k.defaultValue != null) {
                global.put(k, convert(k, k.defaultValue));
            }
        }
        checkGlobal(global, seenAt, errors);
        if (!errors.isEmpty()) {
            throw new RulesException(errors);
        }
        // Profiles need the defaults they override, known only once every file is read.
        List<Profile> resolved = new ArrayList<>();
        for (Profile p : profiles) {
            resolved.add(p.withDefaults(global));
        }
        return new Rules(global, resolved, rules, feeds, fileNames, HexFormat.of().formatHex(sha.digest()).substring(0, 16));
    }

    private static void checkGlobal(Map<RuleKey, Object> g, Map<String, String> seenAt, List<String> errors) {
        if ((Long) g.get(RuleKey.CONTROL_WINDOW) < (Long) g.get(RuleKey.CONTROL_MIN_SAMPLES)) {
            errors.add(seenAt.getOrDefault("[control]", "[control]") + ": window must be at least min_samples");
        }
        if ((g.get(RuleKey.CALL_RATE_BASELINE_MEAN) == null) != (g.get(RuleKey.CALL_RATE_BASELINE_STD) == null)) {
            errors.add(seenAt.getOrDefault("[call_rate]", "[call_rate]") + ": baseline_mean and baseline_std go together");
        }
    }

    /** Checks and converts every key of a section; null when any is bad (errors added). */
    private static Map<RuleKey, Object> values(String file, RuleText.Section s, List<String> errors) {
        Map<RuleKey, Object> out = new EnumMap<>(RuleKey.class);
        boolean ok = true;
        for (RuleText.Entry e : s.entries().values()) {
            RuleKey k = RuleKey.find(s.kind(), e.key());
            String where = file + ":" + e.line() + ": ";
            if (k == null) {
                errors.add(where + "unknown key '" + e.key() + "' in " + s.title() + "; known: "
                    + String.join(", ", RuleKey.of(s.kind()).stream().map(x -> x.key).toList()));
                ok = false;
                continue;
            }
            try {
                out.put(k, convert(k, e.value()));
            } catch (IllegalArgumentException ex) {
                errors.add(where + e.key() + ": " + ex.getMessage());
                ok = false;
            }
        }
        return ok ? out : null;
    }

    /** The typed value of {@code text} for key {@code k}, or IllegalArgumentException saying why not. */
    static Object convert(RuleKey k, String text) {
        String t = text.strip();
        switch (k.type) {
            case INTEGER -> {
                if (!INTEGER.matcher(t).matches()) {
                    throw bad(k, t);
                }
                long v = Long.parseLong(t);
                inRange(k, v, t);
                if (k.powerOfTwo && Long.bitCount(v) != 1) {
                    throw new IllegalArgumentException("'" + t + "' must be a power of two (e.g. " + Long.highestOneBit(v) + ")");
                }
                return v;
            }
            case DECIMAL -> {
                if (!DECIMAL.matcher(t).matches()) {
                    throw bad(k, t);
                }
                double v = Double.parseDouble(t);
                inRange(k, v, t);
                return v;
            }
            case DURATION -> {
                Matcher m = DURATION.matcher(t);
                if (!m.matches()) {
                    throw bad(k, t);
                }
                double seconds = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                    case "ms" -> 0.001;
                    case "s" -> 1;
                    case "m" -> 60;
                    case "h" -> 3600;
                    default -> 86_400;
                };
                inRange(k, seconds, t);
                return Math.round(seconds * SECOND);
            }
            case RATE -> {
                Matcher m = RATE.matcher(t);
                if (!m.matches()) {
                    throw bad(k, t);
                }
                double perSecond = Double.parseDouble(m.group(1)) / switch (m.group(2)) {
                    case "s" -> 1;
                    case "m" -> 60;
                    default -> 3600;
                };
                inRange(k, perSecond, t);
                return perSecond;
            }
            case BOOLEAN -> {
                return switch (t.toLowerCase(Locale.ROOT)) {
                    case "yes", "true", "on" -> Boolean.TRUE;
                    case "no", "false", "off" -> Boolean.FALSE;
                    default -> throw bad(k, t);
                };
            }
            case CIDRS -> {
                List<Cidr> out = new ArrayList<>();
                for (String w : words(k, t)) {
                    out.add(Cidr.parse(w));
                }
                return out;
            }
            case WORDS -> {
                return words(k, t);
            }
            case TEXT -> {
                return t;
            }
            default -> {
                if (!k.choices.contains(t)) {
                    throw new IllegalArgumentException("'" + t + "' is not one of " + String.join(", ", k.choices));
                }
                return t;
            }
        }
    }

    private static List<String> words(RuleKey k, String t) {
        List<String> out = new ArrayList<>();
        for (String w : t.split(",", -1)) {
            String s = w.strip();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("an empty item in '" + t + "'");
            }
            out.add(s);
        }
        return out;
    }

    private static void inRange(RuleKey k, double v, String t) {
        if (v < k.min || v > k.max) {
            throw new IllegalArgumentException("'" + t + "' is out of range (" + bound(k, k.min) + " to " + bound(k, k.max) + ")");
        }
    }

    private static String bound(RuleKey k, double v) {
        String n = v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
        return switch (k.type) {
            case DURATION -> n + "s";
            case RATE -> n + "/s";
            default -> n;
        };
    }

    private static IllegalArgumentException bad(RuleKey k, String t) {
        return new IllegalArgumentException("'" + t + "' is not " + k.type.syntax);
    }

    private static Profile profile(String name, Map<RuleKey, Object> v) {
        @SuppressWarnings("unchecked")
        List<Cidr> sources = (List<Cidr>) v.get(RuleKey.PROFILE_SOURCE);
        return new Profile(name, sources, (Boolean) v.getOrDefault(RuleKey.PROFILE_TRUSTED, Boolean.FALSE), null, v);
    }

    @SuppressWarnings("unchecked")
    private static MatchRule rule(String where, RuleText.Section s, Map<RuleKey, Object> v, List<String> errors) {
        if (!v.containsKey(RuleKey.RULE_ACTION)) {
            errors.add(where + s.title() + " needs an action (drop, alarm or allow)");
            return null;
        }
        List<String> methods = (List<String>) v.get(RuleKey.RULE_METHOD);
        if (!v.containsKey(RuleKey.RULE_SOURCE) && methods == null && !v.containsKey(RuleKey.RULE_USER_AGENT)
            && !v.containsKey(RuleKey.RULE_USER)) {
            errors.add(where + s.title() + " has no condition and would match every request;"
                + " to mean that, say source = 0.0.0.0/0, ::/0");
            return null;
        }
        String direction = (String) v.getOrDefault(RuleKey.RULE_DIRECTION, "inbound");
        return new MatchRule(s.name(), (List<Cidr>) v.get(RuleKey.RULE_SOURCE), methods == null ? null : Set.copyOf(methods),
            (List<String>) v.get(RuleKey.RULE_USER_AGENT), (List<String>) v.get(RuleKey.RULE_USER),
            MatchRule.Direction.valueOf(direction.toUpperCase(Locale.ROOT)),
            MatchRule.Action.valueOf(((String) v.get(RuleKey.RULE_ACTION)).toUpperCase(Locale.ROOT)));
    }

    /**
     * Keys that size tables and differ from the running set's: a reload cannot apply them (the
     * running values stay until a restart), and the operator is told which.
     */
    public List<String> restartNeeded(Rules running) {
        List<String> out = new ArrayList<>();
        for (RuleKey k : RuleKey.values()) {
            if (k.restart && !java.util.Objects.equals(global.get(k), running.global.get(k))) {
                out.add("[" + k.section + "] " + k.key);
            }
        }
        return out;
    }
}
