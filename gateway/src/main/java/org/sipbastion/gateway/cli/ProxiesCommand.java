package org.sipbastion.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@code bastion proxies [drain|undrain ADDR:PORT]}: the running gateway's proxies, through its admin socket. */
final class ProxiesCommand {
    /** Where a gateway run with --state-dir /var/lib/bastion (the appliance's) listens. */
    static final Path DEFAULT_SOCKET = Path.of("/var/lib/bastion/admin.sock");
    private static final int MAX_ANSWER = 1 << 20;

    private static final String HELP = """
        Usage: bastion proxies [--admin-socket PATH]
               bastion proxies drain ADDR:PORT [--admin-socket PATH]
               bastion proxies undrain ADDR:PORT [--admin-socket PATH]

        Talks to a running gateway through its admin socket (bastion run --admin-socket, or
        STATE_DIR/admin.sock with --state-dir; default /var/lib/bastion/admin.sock).

          (no subcommand)   one line per proxy: state (up, draining, down), priority, weight,
                            session-termination time, calls, active dialogs, reported load
          drain ADDR:PORT   no new calls to that proxy; its dialogs go on there until they end
          undrain ADDR:PORT takes new calls again, with its ramp-up

        ADDR:PORT as the proxy lines show it (IPv6 in brackets). Each change is logged by the
        gateway with the user who made it.

        Exit codes: 0 done, 1 refused (the answer says why) or no gateway answers, 2 usage error.
        """;

    private final PrintStream out;
    private final PrintStream err;

    ProxiesCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        Path socket = DEFAULT_SOCKET;
        StringBuilder command = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(HELP);
                    return Main.OK;
                }
                case "--admin-socket" -> {
                    if (i + 1 >= args.length) {
                        throw new Main.UsageException("--admin-socket needs a path");
                    }
                    socket = Path.of(args[++i]);
                }
                default -> command.append(command.length() > 0 ? " " : "").append(args[i]);
            }
        }
        String line = command.length() == 0 ? "proxies" : command.toString();
        String[] words = line.split(" ");
        boolean valid = words[0].equals("proxies") && words.length == 1
            || (words[0].equals("drain") || words[0].equals("undrain")) && words.length == 2;
        if (!valid) {
            throw new Main.UsageException("expected nothing, drain ADDR:PORT or undrain ADDR:PORT, got: " + line);
        }
        return send(socket, line);
    }

    /** Sends one command line to the admin socket and prints the answer; exit 1 on an "error:" line or no answer. */
    int send(Path socket, String line) {
        String answer;
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer req = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (req.hasRemaining()) {
                c.write(req);
            }
            ByteBuffer in = ByteBuffer.allocate(MAX_ANSWER);
            while (in.hasRemaining() && c.read(in) >= 0) {
                // until the gateway closes
            }
            answer = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("bastion proxies: no gateway answers at " + socket + " (" + e.getMessage()
                + "); is it running, with this --admin-socket?");
            return Main.FAILED;
        }
        boolean refused = false;
        for (String l : answer.split("\n")) {
            if (l.startsWith("error:")) {
                refused = true;
                err.println(l);
            } else if (!l.isEmpty()) {
                out.println(l);
            }
        }
        return refused ? Main.FAILED : Main.OK;
    }
}
