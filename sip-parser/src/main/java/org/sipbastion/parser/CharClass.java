package org.sipbastion.parser;

/** Byte classes of the RFC 3261 grammar (section 25.1) as lookup tables, one bit per class. */
final class CharClass {
    static final int ALPHANUM = 1;
    static final int TOKEN = 1 << 1;
    /** Call-ID "word" characters. */
    static final int WORD = 1 << 2;
    /** unreserved = alphanum / mark. */
    static final int UNRESERVED = 1 << 3;
    /** user part: unreserved / user-unreserved (escapes checked separately). */
    static final int USER = 1 << 4;
    /** password: unreserved / "&" / "=" / "+" / "$" / ",". */
    static final int PASSWORD = 1 << 5;
    /** uri pname / pvalue: param-unreserved / unreserved. */
    static final int PARAMCHAR = 1 << 6;
    /** uri hname / hvalue: hnv-unreserved / unreserved. */
    static final int HNV = 1 << 7;
    /** hostname and IPv4 characters. */
    static final int HOST = 1 << 8;
    /** absoluteURI characters for schemes we do not interpret: reserved / unreserved / "%". */
    static final int URIC = 1 << 9;
    static final int DIGIT = 1 << 10;
    static final int HEX = 1 << 11;
    /** IPv6 reference characters inside brackets. */
    static final int IPV6 = 1 << 12;
    /** A generic parameter value that is not quoted: token / host (IPv6 included). */
    static final int GENVALUE = 1 << 13;
    /** Linear white space inside a header value: SP, HT, and CR/LF (which only appear there as folding). */
    static final int WS = 1 << 14;
    /** Characters a userinfo may hold: user and password characters, ':' and '%' escapes. */
    static final int USERINFO = 1 << 15;

    private static final int[] TABLE = new int[256];

    static {
        for (int c = 'a'; c <= 'z'; c++) {
            TABLE[c] |= ALPHANUM;
            TABLE[c - 32] |= ALPHANUM;
        }
        for (int c = '0'; c <= '9'; c++) {
            TABLE[c] |= ALPHANUM | DIGIT | HEX;
        }
        for (int c = 'a'; c <= 'f'; c++) {
            TABLE[c] |= HEX;
            TABLE[c - 32] |= HEX;
        }
        addAll(ALPHANUM, TOKEN | WORD | UNRESERVED | USER | PASSWORD | PARAMCHAR | HNV | HOST | URIC | GENVALUE);
        add("-.!%*_+`'~", TOKEN | GENVALUE);
        add("-.!%*_+`'~()<>:\\\"/[]?{}", WORD);
        add("-_.!~*'()", UNRESERVED | USER | PASSWORD | PARAMCHAR | HNV | URIC);
        add("&=+$,;?/", USER);
        add("&=+$,", PASSWORD);
        add("[]/:&+$", PARAMCHAR);
        add("[]/?:+$", HNV);
        add("-.", HOST);
        add(";/?:@&=+$,%", URIC);
        add("0123456789abcdefABCDEF:.", IPV6);
        add(":[]", GENVALUE);
        add(" \t\r\n", WS);
        addAll(USER | PASSWORD, USERINFO);
        add(":%", USERINFO);
    }

    private CharClass() {
    }

    private static void add(String chars, int bits) {
        for (int i = 0; i < chars.length(); i++) {
            TABLE[chars.charAt(i)] |= bits;
        }
    }

    private static void addAll(int having, int bits) {
        for (int c = 0; c < 256; c++) {
            if ((TABLE[c] & having) != 0) {
                TABLE[c] |= bits;
            }
        }
    }

    static boolean is(byte b, int cls) {
        return (TABLE[b & 0xFF] & cls) != 0;
    }

    /** Linear white space inside a header value; CR and LF only appear there as folding. */
    static boolean isWs(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int c = b | 0x20;
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    }
}
