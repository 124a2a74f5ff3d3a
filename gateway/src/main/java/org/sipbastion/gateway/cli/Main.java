package org.sipbastion.gateway.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code bastion COMMAND [OPTIONS]}. Exit codes, for every command: 0 done, 1 failed at run time
 * (cannot bind, unreadable file), 2 usage error.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String HELP = """
        Usage: bastion COMMAND [OPTIONS]

        SIP Bastion, a two-tier SIP security gateway.

        Commands:
          demo    run the gateway on 127.0.0.1 with three embedded demo proxies
          run     run the gateway in front of the proxies you name
          lint    judge SIP messages in files: valid, or invalid with a typed reason
          rules   check tier 1 rule files
          replay  run the parser and tier 1 over capture files (pcap, pcapng)
          pki     make a CA and the certificates of gateway, agents and console (pki init DIR)
          agent   report a proxy's load to the gateways that subscribe (agent --config FILE)
          proxies list a running gateway's proxies; drain or undrain one (proxies drain ADDR:PORT)
          keys    rotate the HMAC key of branches and route tokens, or reload it (keys rotate --state-dir DIR)
          simulate  compare the balancing algorithms in a discrete-event simulation
                  (from a source checkout: ./bastion simulate [--json] [--quick]; docs/balancing.md)

        Run 'bastion COMMAND --help' for a command's options.
        Exit codes: 0 done, 1 failed at run time, 2 usage error.
        """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(HELP);
            return USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "lint" -> new LintCommand(out, err).run(rest);
                case "rules" -> new RulesCommand(out, err).run(rest);
                case "replay" -> new ReplayCommand(out, err).run(rest);
                case "pki" -> new PkiCommand(out, err).run(rest);
                case "agent" -> new AgentCommand(out, err).run(rest);
                case "proxies" -> new ProxiesCommand(out, err).run(rest);
                case "keys" -> new KeysCommand(out, err).run(rest);
                case "demo" -> new ServeCommand(out, err, true).run(rest);
                case "run" -> new ServeCommand(out, err, false).run(rest);
                case "simulate" -> {
                    // The simulation lives with the benchmarks (perf-tests), not in the appliance's jar.
                    err.println("bastion simulate: run it from a source checkout, as ./bastion simulate "
                        + "(the launcher builds perf-tests for it)");
                    yield FAILED;
                }
                case "help", "--help", "-h" -> {
                    out.print(HELP);
                    yield OK;
                }
                default -> {
                    err.println("bastion: unknown command '" + args[0] + "'");
                    err.print(HELP);
                    yield USAGE;
                }
            };
        } catch (UsageException e) {
            err.println("bastion " + args[0] + ": " + e.getMessage());
            err.println("Run 'bastion " + args[0] + " --help' for usage.");
            return USAGE;
        }
    }

    /** A mistake in the command line: reported with a hint, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
