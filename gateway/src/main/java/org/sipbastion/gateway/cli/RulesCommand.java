package org.sipbastion.gateway.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.rules.RulesException;

/** {@code bastion rules check FILE...}: validates rule files the way a running gateway would. */
final class RulesCommand {
    private static final String HELP = """
        Usage: bastion rules check FILE|DIR...

        Validates tier 1 rule files (docs/rules.md) as the gateway loads them. Each argument is
        checked on its own; a directory stands for its *.rules files, read together in name order.
        Prints one line per valid argument,

          FILE ok (version V, N rules, M profiles)

        and every problem of an invalid one as FILE:LINE: message.

        Exit codes: 0 all valid, 1 at least one invalid, 2 usage error.
        """;

    private final PrintStream out;
    private final PrintStream err;

    RulesCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        if (args.length == 0) {
            throw new Main.UsageException("a subcommand is needed: check");
        }
        if (args[0].equals("--help") || args[0].equals("-h")) {
            out.print(HELP);
            return Main.OK;
        }
        if (!args[0].equals("check")) {
            throw new Main.UsageException("unknown subcommand '" + args[0] + "'; known: check");
        }
        if (args.length == 1) {
            throw new Main.UsageException("check needs at least one FILE or DIR");
        }
        int status = Main.OK;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.print(HELP);
                return Main.OK;
            }
            try {
                Rules r = Rules.load(List.of(Path.of(args[i])));
                out.println(args[i] + " ok (version " + r.version + ", " + r.rules.size() + " rules, " + r.profiles.size()
                    + " profiles)");
            } catch (RulesException e) {
                e.errors().forEach(out::println);
                status = Main.FAILED;
            }
        }
        out.flush();
        return status;
    }
}
