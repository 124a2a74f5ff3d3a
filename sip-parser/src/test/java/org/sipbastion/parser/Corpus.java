package org.sipbastion.parser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The torture-test corpora copied into test resources (see corpora/ORIGIN.md), read via their manifests. */
public final class Corpus {
    public record Entry(String name, String verdict, String sha256, byte[] bytes) {
        public boolean syntacticallyValid() {
            // "parses/semantic" messages are valid syntax; RFC 5118 asks implementations to tolerate "tolerate".
            return !verdict.equals("invalid");
        }

        @Override
        public String toString() {
            return name + " (" + verdict + ")";
        }
    }

    private Corpus() {
    }

    public static List<Entry> rfc4475() {
        List<Entry> out = new ArrayList<>();
        for (Map<String, String> row : csv("/corpora/rfc4475/manifest.csv")) {
            String file = row.get("file");
            out.add(entry(file, row.get("syntax_verdict"), row.get("sha256"), "/corpora/rfc4475/" + file));
        }
        return out;
    }

    public static List<Entry> rfc5118() {
        List<Entry> out = new ArrayList<>();
        for (Map<String, String> row : csv("/corpora/rfc5118/manifest.csv")) {
            String name = row.get("name");
            out.add(entry(name, row.get("syntax_verdict"), row.get("wire_sha256"), "/corpora/rfc5118/wire/" + name + ".dat"));
        }
        return out;
    }

    public static List<Entry> all() {
        List<Entry> out = new ArrayList<>(rfc4475());
        out.addAll(rfc5118());
        return out;
    }

    public static byte[] read(String resource) {
        try (InputStream in = Corpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Entry entry(String name, String verdict, String sha, String resource) {
        byte[] bytes = read(resource);
        String actual = sha256(bytes);
        if (!actual.equals(sha)) {
            throw new IllegalStateException(resource + ": SHA-256 " + actual + " does not match manifest " + sha);
        }
        return new Entry(name, verdict, sha, bytes);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 4180 CSV with a header row; enough for the manifests (quoted fields with commas). */
    static List<Map<String, String>> csv(String resource) {
        String text = new String(read(resource), StandardCharsets.UTF_8);
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else if (c != '\r') {
                field.append(c);
            }
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        List<String> header = rows.get(0);
        List<Map<String, String>> out = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                m.put(header.get(i), i < r.size() ? r.get(i) : "");
            }
            out.add(m);
        }
        return out;
    }
}
