package org.sipbastion.parser;

/**
 * Resource limits applied while framing and parsing. A message over any limit is rejected with its
 * own {@link Reason} before more work is spent on it.
 *
 * @param maxMessageBytes largest message accepted (headers and body)
 * @param maxHeaders      largest number of header lines (continuations not counted)
 * @param maxLineBytes    longest physical line, start line included
 */
public record Limits(int maxMessageBytes, int maxHeaders, int maxLineBytes) {
    /** A UDP datagram cannot exceed 65,535 octets; lines and header counts leave room for long Via stacks. */
    public static final Limits DEFAULT = new Limits(65_535, 128, 8_192);

    public Limits {
        if (maxMessageBytes < 64 || maxHeaders < 4 || maxLineBytes < 32) {
            throw new IllegalArgumentException("limits too small: " + maxMessageBytes + "/" + maxHeaders + "/" + maxLineBytes);
        }
    }
}
