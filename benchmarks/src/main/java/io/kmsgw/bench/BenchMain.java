package io.kmsgw.bench;

import io.kmsgw.bench.load.FloorServer;
import io.kmsgw.bench.load.LoadHarness;
import java.util.Arrays;

/** {@code kmsgw-bench.jar load …} runs the load harness, {@code floor …} the floor server, {@code seed …} grows an access model, anything else JMH. */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("load")) {
            System.exit(LoadHarness.run(Arrays.copyOfRange(args, 1, args.length)));
        } else if (args.length > 0 && args[0].equals("seed")) {
            System.exit(io.kmsgw.bench.load.Seed.run(Arrays.copyOfRange(args, 1, args.length)));
        } else if (args.length > 0 && args[0].equals("verify-timing")) {
            System.exit(io.kmsgw.bench.load.VerifyTiming.run(Arrays.copyOfRange(args, 1, args.length)));
        } else if (args.length > 0 && args[0].equals("floor")) {
            FloorServer.run(Arrays.copyOfRange(args, 1, args.length));
        } else {
            org.openjdk.jmh.Main.main(args);
        }
    }
}
