package org.sipbastion.parser;

/**
 * Date = rfc1123-date (RFC 3261 section 20.17): {@code wkday "," SP 2DIGIT SP month SP 4DIGIT SP
 * 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT"}. SIP allows no other zone (RFC 4475 section 3.1.2.12).
 */
final class DateSyntax {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] MONTHS = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    private static final int LENGTH = 29;

    private DateSyntax() {
    }

    static boolean valid(SipMessage m, int p, int e) {
        if (e - p != LENGTH) {
            return false;
        }
        return oneOf(m, p, DAYS) && m.byteAt(p + 3) == ',' && m.byteAt(p + 4) == ' '
            && digits(m, p + 5, 2) && m.byteAt(p + 7) == ' '
            && oneOf(m, p + 8, MONTHS) && m.byteAt(p + 11) == ' '
            && digits(m, p + 12, 4) && m.byteAt(p + 16) == ' '
            && digits(m, p + 17, 2) && m.byteAt(p + 19) == ':'
            && digits(m, p + 20, 2) && m.byteAt(p + 22) == ':'
            && digits(m, p + 23, 2) && m.byteAt(p + 25) == ' '
            && m.byteAt(p + 26) == 'G' && m.byteAt(p + 27) == 'M' && m.byteAt(p + 28) == 'T';
    }

    private static boolean oneOf(SipMessage m, int p, String[] words) {
        for (String w : words) {
            if (m.byteAt(p) == w.charAt(0) && m.byteAt(p + 1) == w.charAt(1) && m.byteAt(p + 2) == w.charAt(2)) {
                return true;
            }
        }
        return false;
    }

    private static boolean digits(SipMessage m, int p, int n) {
        for (int i = p; i < p + n; i++) {
            byte b = m.byteAt(i);
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }
}
