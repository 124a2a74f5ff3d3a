package org.sipbastion.tier1.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Every key a rule file may set: its section, type, default, bounds and meaning. The loader
 * validates against this table, and {@code docs/rules.md} documents the same keys (a test keeps
 * the two in step). Keys marked {@code restart} size tables: a reload keeps the running value and
 * says so, since resizing would lose the detectors' state.
 */
public enum RuleKey {
    CALL_RATE_CELLS("call_rate", "cells", Type.INTEGER, "1048576", 1024, 1 << 26, true, true,
        "counters per generation of the counting Bloom filter (a power of two; two generations are kept)"),
    CALL_RATE_CELLS_PER_KEY("call_rate", "cells_per_key", Type.INTEGER, "4", 1, 16, false, true,
        "counters each exchange raises (k)"),
    CALL_RATE_WINDOW("call_rate", "window", Type.DURATION, "60s", 1, 86_400, false, false,
        "generation length: an exchange left open is forgotten after one to two windows"),
    CALL_RATE_TRANSACTIONS("call_rate", "transactions", Type.INTEGER, "262144", 1024, 1 << 26, false, true,
        "open INVITE and BYE transactions remembered for pairing"),
    CALL_RATE_SIGMAS("call_rate", "sigmas", Type.DECIMAL, "5", 0, 100, false, false,
        "alarm when raised counters exceed mean + sigmas x std (the learned one, at least sqrt(k x mean))"),
    CALL_RATE_FLOOR("call_rate", "floor", Type.INTEGER, "100", 0, 1 << 26, false, false,
        "... and exceed the mean by at least this many counters"),
    CALL_RATE_LEARN("call_rate", "learn", Type.DURATION, "300s", 2, 30 * 86_400, false, true,
        "learning period (one sample a second) before the alarm is armed"),
    CALL_RATE_ADAPT("call_rate", "adapt", Type.DURATION, "3600s", 1, 365 * 86_400, false, true,
        "after learning, how slowly the baseline follows normal change"),
    CALL_RATE_BASELINE_MEAN("call_rate", "baseline_mean", Type.DECIMAL, null, 0, 1 << 26, false, false,
        "fixes the baseline mean (with baseline_std) instead of learning it"),
    CALL_RATE_BASELINE_STD("call_rate", "baseline_std", Type.DECIMAL, null, 0, 1 << 26, false, false,
        "fixes the baseline standard deviation (with baseline_mean)"),
    CALL_RATE_OFFENDER_MIN_OPEN("call_rate", "offender_min_open", Type.INTEGER, "20", 1, 1_000_000, false, false,
        "open exchanges that make a source an offender while the alarm lasts"),
    CALL_RATE_OFFENDER_BLOCK("call_rate", "offender_block", Type.DURATION, "60s", 0, 86_400, false, false,
        "how long offenders are blocked (0: name them in the alarm, block nothing)"),
    CALL_RATE_SHED_UNKNOWN("call_rate", "shed_unknown", Type.BOOLEAN, "yes", 0, 0, false, false,
        "while the alarm lasts, drop new INVITEs from addresses with no completed call (2xx then ACK) or accepted REGISTER"),
    CALL_RATE_KNOWN_FOR("call_rate", "known_for", Type.DURATION, "86400s", 1, 365 * 86_400, false, false,
        "how long a completed call or accepted REGISTER makes an address known"),
    CALL_RATE_KNOWN_SOURCES("call_rate", "known_sources", Type.INTEGER, "262144", 1024, 1 << 26, false, true,
        "known addresses remembered; the least recently used make room"),

    CONTROL_FLOOD_DISPERSION("control", "flood_dispersion", Type.DECIMAL, "0.08", 0, 10, false, false,
        "epsilon: a stream whose coefficient of variation is below it is tool-made (floods)"),
    CONTROL_FAKE_DISPERSION("control", "fake_dispersion", Type.DECIMAL, "0.05", 0, 10, false, false,
        "epsilon for BYE and CANCEL streams (fake messages)"),
    CONTROL_FLOOD_RATE("control", "flood_rate", Type.RATE, "10/s", 0.001, 1e9, false, false,
        "a stream must be at least this fast to be judged a flood"),
    CONTROL_SPAN("control", "span", Type.INTEGER, "4", 1, 8, false, true,
        "messages per measured inter-arrival span (see docs/tier1.md)"),
    CONTROL_MIN_SAMPLES("control", "min_samples", Type.INTEGER, "20", 2, 10_000, false, false,
        "spans measured before a stream can be judged"),
    CONTROL_WINDOW("control", "window", Type.INTEGER, "50", 2, 100_000, false, false,
        "spans the statistics cover once warm (at least min_samples)"),
    CONTROL_BLOCK("control", "block", Type.DURATION, "60s", 0, 86_400, false, false,
        "how long a flooding address or user is blocked"),
    CONTROL_RATE_LIMIT("control", "rate_limit", Type.RATE, "20/s", 0, 1e9, false, false,
        "requests per address or user and method (0/s: no limit); profile trunks and offices that need more"),
    CONTROL_RATE_BURST("control", "rate_burst", Type.INTEGER, "20", 1, 1_000_000_000, false, false,
        "requests an address or user may send at once above the rate"),
    CONTROL_RATE_BLOCK("control", "rate_block", Type.DURATION, "60s", 0, 86_400, false, false,
        "how long an address or user that ran its rate limit dry is blocked (0: drop only the excess)"),
    CONTROL_ENTRIES("control", "entries", Type.INTEGER, "131072", 1024, 1 << 26, false, true,
        "(address or user, method) streams tracked; the least recently seen make room"),

    DIALOGS_ENTRIES("dialogs", "entries", Type.INTEGER, "262144", 1024, 1 << 26, false, true,
        "dialogs and pending INVITEs remembered for the fake BYE / CANCEL checks"),
    DIALOGS_GRACE("dialogs", "grace_after_start", Type.DURATION, "120s", 0, 86_400, false, false,
        "after a start, BYEs and CANCELs of unknown dialogs pass for this long"),

    AUTH_FAILURES("auth", "failures", Type.INTEGER, "10", 1, 1_000_000, false, false,
        "failed authentications (credentials answered 401, 407 or 403) in the window that make an offender"),
    AUTH_RATIO("auth", "ratio", Type.DECIMAL, "0.8", 0, 1, false, false,
        "... when they are at least this share of its answered credentialed attempts"),
    AUTH_WINDOW("auth", "window", Type.DURATION, "60s", 1, 86_400, false, false,
        "the window failures are counted in, per source address and per account (To URI)"),
    AUTH_BLOCK("auth", "block", Type.DURATION, "600s", 0, 7 * 86_400, false, false,
        "how long a guessing source or a targeted account is blocked (REGISTER and INVITE)"),
    AUTH_ENTRIES("auth", "entries", Type.INTEGER, "65536", 1024, 1 << 26, false, true,
        "sources and accounts tracked, and pending credentialed transactions"),

    EMERGENCY_USERS("emergency", "request_uri_users", Type.WORDS, "sos, 112, 911, 999", 0, 0, false, false,
        "Request-URI users of emergency calls (also urn:service:sos URIs): never rate-limited or blocked"),
    EMERGENCY_RESOURCE_PRIORITY("emergency", "resource_priority", Type.BOOLEAN, "yes", 0, 0, false, false,
        "requests with a Resource-Priority header are never rate-limited or blocked"),

    DENY_FEED_FILE("deny_feed", "file", Type.TEXT, null, 0, 0, false, false,
        "a file of addresses and CIDR blocks to drop, one a line, '#' comments (this or url)"),
    DENY_FEED_URL("deny_feed", "url", Type.TEXT, null, 0, 0, false, false,
        "the same list fetched over http or https (this or file)"),
    DENY_FEED_REFRESH("deny_feed", "refresh", Type.DURATION, "3600s", 10, 7 * 86_400, false, false,
        "how often the list is read again; a read that fails keeps the last good list, with an alarm"),

    PROFILE_SOURCE("profile", "source", Type.CIDRS, null, 0, 0, false, false,
        "addresses the profile applies to (required)"),
    PROFILE_TRUSTED("profile", "trusted", Type.BOOLEAN, "no", 0, 0, false, false,
        "never rate-limited, judged or blocked (a spoofed trusted address must not be able to get it blocked)"),
    PROFILE_JUDGE_ADDRESS("profile", "judge_address", Type.BOOLEAN, "yes", 0, 0, false, false,
        "judge the address as one stream; 'no' for NAT offices: only their users are judged"),
    PROFILE_FLOOD_RATE("profile", "flood_rate", Type.RATE, null, 0.001, 1e9, false, false,
        "overrides [control] flood_rate for these addresses"),
    PROFILE_RATE_LIMIT("profile", "rate_limit", Type.RATE, null, 0, 1e9, false, false,
        "overrides [control] rate_limit"),
    PROFILE_RATE_BURST("profile", "rate_burst", Type.INTEGER, null, 1, 1_000_000_000, false, false,
        "overrides [control] rate_burst"),

    RULE_SOURCE("rule", "source", Type.CIDRS, null, 0, 0, false, false,
        "matches requests from these addresses"),
    RULE_METHOD("rule", "method", Type.WORDS, null, 0, 0, false, false,
        "matches these methods (case-sensitive, as on the wire)"),
    RULE_USER_AGENT("rule", "user_agent", Type.WORDS, null, 0, 0, false, false,
        "matches a User-Agent containing any of these (case-insensitive)"),
    RULE_USER("rule", "user", Type.WORDS, null, 0, 0, false, false,
        "matches a From user equal to one of these, or starting with it when it ends in '*'"),
    RULE_DIRECTION("rule", "direction", Type.CHOICE, "inbound", 0, 0, false, false,
        "inbound (from clients), outbound (from the proxies: a compromised inside host) or any",
        "inbound", "outbound", "any"),
    RULE_ACTION("rule", "action", Type.CHOICE, null, 0, 0, false, false,
        "drop (counted, evented), alarm (let through, alarm once a minute) or allow (skip tier 1 detectors)",
        "drop", "alarm", "allow");

    /** How a value is written. */
    public enum Type {
        INTEGER("an integer"), DECIMAL("a number"), DURATION("a duration: 500ms, 30s, 5m, 1h, 1d"),
        RATE("a rate: 10/s, 600/m"), BOOLEAN("yes or no"), CIDRS("addresses or CIDR blocks, comma-separated"),
        WORDS("words, comma-separated"), CHOICE("one of the listed words"), TEXT("the rest of the line");

        public final String syntax;

        Type(String syntax) {
            this.syntax = syntax;
        }
    }

    public final String section;
    public final String key;
    public final Type type;
    /** The default as written in a file; null: no default (required, or optional and off). */
    public final String defaultValue;
    /** Bounds of numbers; of durations in seconds, of rates in per second. */
    public final double min;
    public final double max;
    public final boolean powerOfTwo;
    public final boolean restart;
    public final String meaning;
    public final List<String> choices;

    RuleKey(String section, String key, Type type, String defaultValue, double min, double max, boolean powerOfTwo,
            boolean restart, String meaning, String... choices) {
        this.section = section;
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.powerOfTwo = powerOfTwo;
        this.restart = restart;
        this.meaning = meaning;
        this.choices = List.of(choices);
    }

    /** Sections that may appear several times, each with a name. */
    static boolean named(String section) {
        return section.equals("profile") || section.equals("rule") || section.equals("deny_feed");
    }

    static List<RuleKey> of(String section) {
        List<RuleKey> out = new ArrayList<>();
        for (RuleKey k : values()) {
            if (k.section.equals(section)) {
                out.add(k);
            }
        }
        return out;
    }

    static RuleKey find(String section, String key) {
        for (RuleKey k : values()) {
            if (k.section.equals(section) && k.key.equals(key)) {
                return k;
            }
        }
        return null;
    }
}
