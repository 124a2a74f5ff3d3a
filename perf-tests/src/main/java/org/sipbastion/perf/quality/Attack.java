package org.sipbastion.perf.quality;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One attack of the harness: the tool messages it is made of, where it comes from, and how each
 * message is adapted before sending (only the Call-ID, so that a looped capture still reads as new
 * calls; or the identifiers of a live call, for an attacker who sniffed them).
 */
record Attack(String name, String description, Supplier<List<byte[]>> messages, From from, Rewrite rewrite,
              boolean disguised) {
    Attack(String name, String description, Supplier<List<byte[]>> messages, From from, Rewrite rewrite) {
        this(name, description, messages, from, rewrite, false);
    }

    /** The User-Agent a disguised tool puts on (SIPVicious and friends are caught by name otherwise). */
    static final String DISGUISE = "Yealink SIP-T46S 66.86.0.15";

    enum From {
        /** One attacking address. */
        SINGLE,
        /** The NAT address of the office, whose 300 phones are legitimate. */
        OFFICE_NAT,
        /** 500 addresses, each far below any per-source limit. */
        DISTRIBUTED,
        /** A spoofed source: the address of one of our proxies. */
        PROXY
    }

    enum Rewrite { UNIQUE_CALL_ID, LIVE_DIALOG }

    static final InetSocketAddress ATTACKER = new InetSocketAddress("203.0.113.66", 5060);
    static final int DISTRIBUTED_SOURCES = 500;
    private static final Pattern CALL_ID = Pattern.compile("(?im)^(call-id|i)[ \\t]*:[ \\t]*([^\\r\\n]*)");
    private static final Pattern USER_AGENT = Pattern.compile("(?im)^user-agent[ \\t]*:[^\\r\\n]*");
    private static final Pattern FROM = Pattern.compile("(?im)^(from|f)[ \\t]*:[^\\r\\n]*");
    private static final Pattern TO = Pattern.compile("(?im)^(to|t)[ \\t]*:[^\\r\\n]*");
    private static final Pattern FROM_USER = Pattern.compile("(?im)^(from|f)[ \\t]*:[^\\r\\n]*?sips?:([^@;>\\r\\n]+)@");

    /** Every attack the harness runs, in report order. */
    static List<Attack> all() {
        List<Attack> l = new ArrayList<>();
        l.add(new Attack("invite-flood", "SIPp, INVITEs of new calls, one source", cap("sipp-invite-flood"), From.SINGLE,
            Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("invite-flood-nat", "SIPp INVITEs from the office's NAT address", cap("sipp-invite-flood"),
            From.OFFICE_NAT, Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("distributed-flood", "SIPp INVITEs spread over " + DISTRIBUTED_SOURCES + " sources, a From user per source",
            cap("sipp-invite-flood"), From.DISTRIBUTED, Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("register-flood", "SIPp REGISTERs for many users", cap("sipp-register-flood"), From.SINGLE,
            Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("register-flood-sipsak", "sipsak usrloc mode (-U)", cap("sipsak-register"), From.SINGLE,
            Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("options-flood", "sipsak flood mode (-F)", cap("sipsak-options-flood"), From.SINGLE,
            Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("password-guessing", "svcrack, digest guesses for one extension", cap("svcrack-bruteforce"),
            From.SINGLE, Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("scanner-sweep", "svmap sweep then svwar extension enumeration",
            () -> concat(Captures.payloads("svmap-sweep"), Captures.payloads("svwar-enumeration")), From.SINGLE,
            Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("password-guessing-disguised", "svcrack with a phone's User-Agent", cap("svcrack-bruteforce"),
            From.SINGLE, Rewrite.UNIQUE_CALL_ID, true));
        l.add(new Attack("scanner-sweep-disguised", "svmap and svwar with a phone's User-Agent",
            () -> concat(Captures.payloads("svmap-sweep"), Captures.payloads("svwar-enumeration")), From.SINGLE,
            Rewrite.UNIQUE_CALL_ID, true));
        l.add(new Attack("fake-bye", "SIPp BYEs of made-up dialogs", cap("sipp-fake-bye"), From.SINGLE,
            Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("fake-bye-live", "SIPp BYEs carrying a live call's Call-ID and tags", cap("sipp-fake-bye"),
            From.SINGLE, Rewrite.LIVE_DIALOG));
        l.add(new Attack("fake-cancel", "SIPp CANCELs of made-up transactions", cap("sipp-fake-cancel"), From.SINGLE,
            Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("fake-response", "SIPp 486/200 responses with forged branches", cap("sipp-fake-response"),
            From.SINGLE, Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("fake-response-spoofed", "the same, source spoofed as a proxy", cap("sipp-fake-response"),
            From.PROXY, Rewrite.UNIQUE_CALL_ID));
        l.add(new Attack("malformed", "PROTOS-style mutations of valid requests", Mutations::all, From.SINGLE,
            Rewrite.UNIQUE_CALL_ID));
        return l;
    }

    static Attack named(String name) {
        for (Attack a : all()) {
            if (a.name.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("no attack " + name + "; known: " + all().stream().map(Attack::name).toList());
    }

    private static Supplier<List<byte[]>> cap(String capture) {
        return () -> Captures.payloads(capture);
    }

    private static List<byte[]> concat(List<byte[]> a, List<byte[]> b) {
        List<byte[]> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    /** The From user of message {@code i} when the attack varies it, else -1. */
    int user(long i) {
        return from == From.DISTRIBUTED ? (int) (i % DISTRIBUTED_SOURCES) : -1;
    }

    /** The source of message number {@code i}. */
    InetSocketAddress source(long i) {
        return switch (from) {
            case SINGLE -> ATTACKER;
            case OFFICE_NAT -> new InetSocketAddress(Phones.OFFICE_NAT.getAddress(), 31_000);
            case PROXY -> Edge.PROXIES.get(0);
            case DISTRIBUTED -> {
                int k = (int) (i % DISTRIBUTED_SOURCES) + 1;
                yield new InetSocketAddress("100.64." + (k >>> 8) + "." + (k & 0xFF), 5060);
            }
        };
    }

    /**
     * Message {@code i} of the stream, adapted: the {@code loop}-th pass over the capture gets its
     * Call-IDs suffixed; a live-dialog attacker copies a live call's Call-ID and tags.
     */
    static String adapt(String text, long loop, Rewrite rewrite, String[] live) {
        return adapt(text, loop, rewrite, live, -1);
    }

    /** As above; a {@code user} of 0 or more also renames the From user (a distributed flood varies it). */
    /** Message text after this attack's adaptations: disguise, From user, then {@link #adapt}. */
    String prepare(String text, long loop, String[] live, int user) {
        String t = disguised ? USER_AGENT.matcher(text).replaceFirst("User-Agent: " + DISGUISE) : text;
        return adapt(t, loop, rewrite, live, user);
    }

    static String adapt(String text, long loop, Rewrite rewrite, String[] live, int user) {
        if (user >= 0) {
            Matcher f = FROM_USER.matcher(text);
            if (f.find()) {
                text = text.substring(0, f.start(2)) + "u" + user + text.substring(f.end(2));
            }
        }
        if (rewrite == Rewrite.LIVE_DIALOG && live != null) {
            String t = CALL_ID.matcher(text).replaceFirst(Matcher.quoteReplacement("Call-ID: " + live[0]));
            // The attacker ends the call as its caller would: From is the caller, To the callee.
            t = FROM.matcher(t).replaceFirst(Matcher.quoteReplacement("From: " + live[1]));
            return TO.matcher(t).replaceFirst(Matcher.quoteReplacement("To: " + live[2]));
        }
        if (loop == 0) {
            return text;
        }
        Matcher m = CALL_ID.matcher(text);
        return m.find() ? text.substring(0, m.end(2)) + "-" + loop + text.substring(m.end(2)) : text;
    }
}
