package org.sipbastion.tier1.rules;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@code [deny_feed NAME]}: a blocklist of addresses and CIDR blocks, read from a file or fetched
 * from a URL, again every {@code refreshNanos}. Its requests are dropped before any detector runs.
 * The rule file names the feed; its content is data, read by whoever runs tier 1 (the gateway's
 * feed loader, replay) and parsed with {@link #parse}.
 *
 * @param file one of file and url
 */
public record DenyFeed(String name, Path file, URI url, long refreshNanos) {

    static DenyFeed of(String where, String name, Map<RuleKey, Object> v, List<String> errors) {
        String file = (String) v.get(RuleKey.DENY_FEED_FILE);
        String url = (String) v.get(RuleKey.DENY_FEED_URL);
        if ((file == null) == (url == null)) {
            errors.add(where + "[deny_feed " + name + "] needs exactly one of file and url");
            return null;
        }
        URI uri = null;
        if (url != null) {
            try {
                uri = new URI(url);
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
            if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                errors.add(where + "[deny_feed " + name + "] url '" + url + "' is not an http or https URL");
                return null;
            }
        }
        Object refresh = v.get(RuleKey.DENY_FEED_REFRESH);
        if (refresh == null) {
            refresh = Rules.convert(RuleKey.DENY_FEED_REFRESH, RuleKey.DENY_FEED_REFRESH.defaultValue);
        }
        return new DenyFeed(name, file == null ? null : Path.of(file), uri, (Long) refresh);
    }

    /** Where it is read from, for messages. */
    public String origin() {
        return file != null ? file.toString() : url.toString();
    }

    /**
     * The blocks of a feed's text: one address or CIDR block a line, '#' starts a comment, blank
     * lines ignored. A line that is not an address is skipped and reported in {@code problems}
     * (at most 10 reported; the rest counted), so one typo does not throw away a whole list.
     */
    public static List<Cidr> parse(String origin, String text, List<String> problems) {
        List<Cidr> out = new ArrayList<>();
        int bad = 0;
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String t = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (t.isEmpty()) {
                continue;
            }
            try {
                out.add(Cidr.parse(t));
            } catch (IllegalArgumentException e) {
                if (++bad <= 10) {
                    problems.add(origin + ":" + (i + 1) + ": " + e.getMessage());
                }
            }
        }
        if (bad > 10) {
            problems.add(origin + ": " + (bad - 10) + " more lines that are not addresses");
        }
        return out;
    }
}
