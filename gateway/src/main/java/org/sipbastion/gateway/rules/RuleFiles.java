package org.sipbastion.gateway.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.rules.RulesException;

/** Where the gateway's rules come from: the files given with {@code --rules}, or the shipped ones built in. */
public final class RuleFiles {
    private static final String BUILT_IN = "default.rules";

    private RuleFiles() {
    }

    /** The shipped {@code rules/default.rules}, as built into the jar. */
    public static Rules builtIn() {
        try (InputStream in = RuleFiles.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("the built-in " + BUILT_IN + " is missing from the jar");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return Rules.parse(List.of(new Rules.Source(BUILT_IN + " (built in)", text)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RulesException e) {
            throw new IllegalStateException("the built-in " + BUILT_IN + " does not validate:\n" + e.getMessage(), e);
        }
    }

    /** The rules at {@code paths}, or the built-in ones when there are none. */
    public static Rules load(List<Path> paths) throws RulesException {
        return paths.isEmpty() ? builtIn() : Rules.load(paths);
    }
}
