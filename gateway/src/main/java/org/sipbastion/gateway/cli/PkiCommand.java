package org.sipbastion.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.sipbastion.crypto.pki.PkiDirectory;

/** {@code bastion pki init DIR}: a CA and the certificates of the gateway, the agents and the console. */
final class PkiCommand {
    private static final String HELP = """
        Usage: bastion pki init DIR [--name ROLE=NAME[,NAME...]]...

        Makes a certificate authority for a lab or a first install, and a certificate for each
        role, in DIR (created if needed):

          ca.crt, ca.key            the CA (ECDSA P-256, 10 years); ca.crt is the trust store
                                    every gateway and agent is given; keep ca.key off the appliances
          ROLE.crt, ROLE.key        for gateway, agent and console (825 days): the certificate
                                    followed by the CA's, and its key (readable by its owner only)

        Each certificate serves as TLS server and client (mutual TLS between gateway and agents) and
        signs S/MIME bodies (the agents' workload reports). Its subject alternative names are what
        its peers check it against: by default this host's name, localhost, 127.0.0.1 and ::1;
        --name ROLE=NAME,... replaces them for one role (host names and IP addresses), and a role
        other than the three is made as well (e.g. --name agent-p2=p2.example.net,192.0.2.12).

        An existing CA in DIR is never overwritten.

        Exit codes: 0 made, 1 could not (DIR unwritable, a CA already there), 2 usage error.
        """;

    private final PrintStream out;
    private final PrintStream err;

    PkiCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        if (args.length == 0) {
            throw new Main.UsageException("a subcommand is needed: init");
        }
        if (args[0].equals("--help") || args[0].equals("-h")) {
            out.print(HELP);
            return Main.OK;
        }
        if (!args[0].equals("init")) {
            throw new Main.UsageException("unknown subcommand " + args[0] + " (init)");
        }
        if (args.length < 2 || args[1].startsWith("--")) {
            throw new Main.UsageException("init needs a directory");
        }
        Path dir = Path.of(args[1]);
        Map<String, List<String>> names = new LinkedHashMap<>();
        List<String> local = localNames();
        for (String role : PkiDirectory.ROLES) {
            names.put(role, local);
        }
        for (int i = 2; i < args.length; i++) {
            if (!args[i].equals("--name") || i + 1 >= args.length) {
                throw new Main.UsageException("expected --name ROLE=NAME[,NAME...], got " + args[i]);
            }
            String[] kv = args[++i].split("=", 2);
            if (kv.length != 2 || kv[1].isBlank()) {
                throw new Main.UsageException("--name " + args[i] + ": expected ROLE=NAME[,NAME...]");
            }
            List<String> list = new ArrayList<>();
            for (String n : kv[1].split(",")) {
                if (!n.isBlank()) {
                    list.add(n.trim());
                }
            }
            names.put(kv[0].trim(), list);
        }
        try {
            List<Path> files = PkiDirectory.init(dir, names, Instant.now());
            for (Path f : files) {
                out.println(f);
            }
            return Main.OK;
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        } catch (IOException e) {
            err.println("bastion pki: " + e.getMessage());
            return Main.FAILED;
        }
    }

    private static List<String> localNames() {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (host.matches("[A-Za-z0-9.-]+")) {
                names.add(host);
            }
        } catch (IOException e) {
            // no host name: the loopback names below still let a lab run
        }
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        return new ArrayList<>(names);
    }
}
