package org.sipbastion.testkit;

import java.nio.file.Path;

/**
 * How a SIPp run ended.
 *
 * <p>SIPp 3.6 exit codes (its {@code -h} text, and seen here): 0 all calls succeeded, 1 at least one
 * failed, 97 stopped by an internal command or by {@code -timeout} without {@code -timeout_error},
 * 99 normal exit with no call processed, 255 (-1) fatal error, which includes reaching
 * {@code -timeout} with {@code -timeout_error}, 254 (-2) could not bind its socket.
 *
 * @param exitCode        SIPp's exit code
 * @param successfulCalls cumulative "SuccessfulCall" from the last line of its statistics file
 * @param failedCalls     cumulative "FailedCall" from the same line
 * @param runDir          where its statistics, message trace, errors and output are
 */
public record SippResult(int exitCode, long successfulCalls, long failedCalls, Path runDir) {

    /** True when SIPp says every call succeeded, and at least one was made. */
    public boolean allSucceeded() {
        return exitCode == 0 && failedCalls == 0 && successfulCalls > 0;
    }

    public String describe() {
        return "exit " + exitCode + " (" + meaning(exitCode) + "), " + successfulCalls + " succeeded, "
                + failedCalls + " failed; files in " + runDir;
    }

    static String meaning(int exitCode) {
        return switch (exitCode) {
            case 0 -> "all calls succeeded";
            case 1 -> "at least one call failed";
            case 97 -> "exit on internal command or -timeout";
            case 99 -> "no call processed";
            case 254 -> "cannot bind socket";
            case 255 -> "fatal error, or -timeout with -timeout_error";
            default -> "unknown";
        };
    }
}
