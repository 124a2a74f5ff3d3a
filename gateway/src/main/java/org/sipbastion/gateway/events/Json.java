package org.sipbastion.gateway.events;

/** The one JSON string escaper of the gateway's outputs (event log, lint, replay). */
public final class Json {
    private Json() {
    }

    /** {@code value} as a JSON string literal, quotes included. */
    public static String quote(String value) {
        return quote(new StringBuilder(value.length() + 2), value).toString();
    }

    /** Appends {@code value} as a JSON string literal to {@code b}. */
    public static StringBuilder quote(StringBuilder b, String value) {
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }
}
