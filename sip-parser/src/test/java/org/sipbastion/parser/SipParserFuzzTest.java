package org.sipbastion.parser;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzing the parser. In a normal build Jazzer replays the seeds (the torture corpora, under
 * {@code SipParserFuzzTestInputs/parse}) and any crash it ever found; {@code JAZZER_FUZZ=1 mvn
 * test -pl sip-parser -Dtest=SipParserFuzzTest} fuzzes for real. The mutation sweep below always
 * runs too, so the build exercises broken input even without the fuzzer.
 */
class SipParserFuzzTest {
    private final ParserInvariants invariants = new ParserInvariants();

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void parse(byte[] data) {
        invariants.check(data);
    }

    /** 40,000 deterministic mutations of the corpus: flips, cuts, duplications, CR/LF and quote noise. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mutationSweep() {
        Random rnd = new Random(0x5195AL);
        byte[] noise = {'\r', '\n', ' ', '"', '<', '>', ';', ',', ':', '%', '@', '\\', '=', 0, (byte) 0xFF, '[', ']'};
        var corpus = Corpus.all();
        for (int i = 0; i < 40_000; i++) {
            byte[] seed = corpus.get(rnd.nextInt(corpus.size())).bytes();
            byte[] data = seed.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int k = 0; k < edits && data.length > 0; k++) {
                int at = rnd.nextInt(data.length);
                switch (rnd.nextInt(4)) {
                    case 0 -> data[at] = noise[rnd.nextInt(noise.length)];
                    case 1 -> data = java.util.Arrays.copyOf(data, at);
                    case 2 -> {
                        byte[] grown = new byte[data.length + 8];
                        System.arraycopy(data, 0, grown, 0, at);
                        System.arraycopy(data, at, grown, at + 8, data.length - at);
                        for (int j = 0; j < 8; j++) {
                            grown[at + j] = noise[rnd.nextInt(noise.length)];
                        }
                        data = grown;
                    }
                    default -> data[at] = (byte) rnd.nextInt(256);
                }
            }
            invariants.check(data);
        }
    }
}
