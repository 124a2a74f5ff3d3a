package org.sipbastion.tier1.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The syntax of a rule file, before any key is checked: sections and {@code key = value} lines, each
 * with its line number, and every syntax error as {@code file:line: message}.
 *
 * <pre>
 * # a comment, also after a value
 * [control]                 a section
 * flood_rate = 10/s
 * [profile office-nat]      a named section (profile, rule); several may share a kind
 * source = 198.51.100.0/24, 2001:db8:1::/48
 * </pre>
 *
 * A value runs to the end of the line or to a {@code #}; lists are comma-separated. Keys before the
 * first section, repeated keys and empty values are errors (repeated sections are the caller's to
 * judge: they may come from different files).
 */
final class RuleText {
    /** One value as written, where it was written. */
    record Entry(String key, String value, int line) {
    }

    /** One section: its kind ({@code control}, {@code profile}...), its name for named kinds, its keys. */
    record Section(String kind, String name, int line, Map<String, Entry> entries) {
        String title() {
            return name == null ? "[" + kind + "]" : "[" + kind + " " + name + "]";
        }
    }

    private RuleText() {
    }

    /** Splits {@code text} into sections, adding an error to {@code errors} for each bad line. */
    static List<Section> parse(String file, String text, List<String> errors) {
        List<Section> sections = new ArrayList<>();
        Section current = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = stripComment(lines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    errors.add(file + ":" + lineNo + ": a section header ends with ']'");
                    current = null;
                    continue;
                }
                String[] words = line.substring(1, line.length() - 1).strip().split("\\s+");
                if (words.length > 2 || words[0].isEmpty() || !isName(words[0]) || (words.length == 2 && !isName(words[1]))) {
                    errors.add(file + ":" + lineNo + ": a section header is [kind] or [kind name], with names of"
                        + " letters, digits, '-' and '_'");
                    current = null;
                    continue;
                }
                current = new Section(words[0], words.length == 2 ? words[1] : null, lineNo, new LinkedHashMap<>());
                sections.add(current);
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                errors.add(file + ":" + lineNo + ": expected 'key = value' or a [section]");
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!isName(key)) {
                errors.add(file + ":" + lineNo + ": '" + key + "' is not a key name");
                continue;
            }
            if (value.isEmpty()) {
                errors.add(file + ":" + lineNo + ": " + key + " has no value");
                continue;
            }
            if (current == null) {
                errors.add(file + ":" + lineNo + ": " + key + " is outside any section");
                continue;
            }
            Entry old = current.entries().putIfAbsent(key, new Entry(key, value, lineNo));
            if (old != null) {
                errors.add(file + ":" + lineNo + ": " + key + " is already set at line " + old.line());
            }
        }
        return sections;
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }

    private static boolean isName(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
