package org.sipbastion.gateway.cli;

import java.io.PrintStream;

/** Lets tests in other packages run the CLI as the launcher does, with their own streams. */
public final class MainAccess {
    private MainAccess() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Main.run(args, out, err);
    }
}
