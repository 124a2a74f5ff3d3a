package org.sipbastion.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.state.KeyFile;

/** {@code bastion keys rotate|reload}: the HMAC key of branches and route tokens. */
final class KeysCommand {
    private static final String HELP = """
        Usage: bastion keys rotate --state-dir DIR [--admin-socket PATH]
               bastion keys reload [--admin-socket PATH]

        The HMAC key that signs the gateway's Via branches, route tokens, topology seals and probes
        (DIR/hmac.key). rotate makes a new key that signs from now on and keeps the one before it,
        which still verifies what it signed (dialogs in progress keep their route tokens); the key
        before that is forgotten. It then tells the running gateway to take it (its admin socket:
        DIR/admin.sock unless --admin-socket says otherwise). reload only tells a gateway to read its
        key file again: after copying the rotated file to an HA peer's state directory.

        An HA pair shares one key file: rotate on one, copy DIR/hmac.key to the other, reload
        there. Rotate again only once dialogs older than the last rotation have ended.

        Exit codes: 0 done, 1 failed (the key file, or no gateway answers), 2 usage error.
        """;

    private final PrintStream out;
    private final PrintStream err;

    KeysCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        if (args.length == 0) {
            throw new Main.UsageException("a subcommand is needed: rotate or reload");
        }
        if (args[0].equals("--help") || args[0].equals("-h")) {
            out.print(HELP);
            return Main.OK;
        }
        Path stateDir = null;
        Path socket = null;
        for (int i = 1; i < args.length; i++) {
            if (i + 1 >= args.length) {
                throw new Main.UsageException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--state-dir" -> stateDir = Path.of(args[++i]);
                case "--admin-socket" -> socket = Path.of(args[++i]);
                default -> throw new Main.UsageException("unknown option " + args[i]);
            }
        }
        switch (args[0]) {
            case "rotate" -> {
                if (stateDir == null) {
                    throw new Main.UsageException("rotate needs --state-dir DIR (where hmac.key is)");
                }
                try {
                    MacKeyRing ring = KeyFile.rotate(stateDir);
                    out.println(stateDir.resolve(KeyFile.NAME) + " rotated: key " + ring.currentId() + " signs, key "
                        + ring.previousId() + " still verifies");
                } catch (IOException e) {
                    err.println("bastion keys: " + e.getMessage());
                    return Main.FAILED;
                }
                Path s = socket != null ? socket : stateDir.resolve("admin.sock");
                if (socket == null && !Files.exists(s)) {
                    out.println("no gateway runs on " + stateDir + " (no admin.sock): the next start takes the new key");
                    return Main.OK;
                }
                return new ProxiesCommand(out, err).send(s, "keys");
            }
            case "reload" -> {
                Path s = socket != null ? socket : stateDir != null ? stateDir.resolve("admin.sock") : ProxiesCommand.DEFAULT_SOCKET;
                return new ProxiesCommand(out, err).send(s, "keys");
            }
            default -> throw new Main.UsageException("unknown subcommand " + args[0] + " (rotate, reload)");
        }
    }
}
