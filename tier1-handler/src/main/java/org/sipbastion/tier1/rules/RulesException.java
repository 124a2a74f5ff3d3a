package org.sipbastion.tier1.rules;

import java.util.List;

/** A rule file that cannot be used, with every problem found, each as {@code file:line: message}. */
public final class RulesException extends Exception {
    private final List<String> errors;

    public RulesException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
