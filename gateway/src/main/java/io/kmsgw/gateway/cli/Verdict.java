package io.kmsgw.gateway.cli;

import io.kmsgw.gateway.server.DataDirVerifier;

/** How {@code verify}, {@code backup} and {@code restore --verify} print a verification: one PROBLEM line each, then a verdict. */
final class Verdict {
    private Verdict() {
    }

    /**
     * Prints {@code r} and returns the exit code: 0 only when all is well.
     *
     * @param command the subcommand, for the verdict line
     * @param ok      the verdict when all is well ({@code ok}, {@code verified})
     * @param bad     what precedes the problem count otherwise (may be empty)
     */
    static int print(String command, DataDirVerifier.Result r, String ok, String bad) {
        r.problems().forEach(p -> System.out.println("PROBLEM " + p));
        int n = r.problems().size();
        System.out.println("kmsgw " + command + ": " + (r.ok() ? ok : bad + n + " problem" + (n == 1 ? "" : "s")) + " (" + r.summary() + ")");
        return r.ok() ? 0 : 1;
    }
}
