package org.sipbastion.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.sipbastion.gateway.agent.AgentConfig;
import org.sipbastion.gateway.agent.WorkloadAgent;

/** {@code bastion agent --config FILE}: the workload agent beside a proxy. */
final class AgentCommand {
    private static final String HELP = """
        Usage: bastion agent --config FILE

        Runs beside a SIP proxy and reports its load to the gateways that subscribe (SIP SUBSCRIBE /
        NOTIFY, event x-workload, over mutual TLS 1.3): every period, and at once when the CPU or
        memory share crosses its alarm threshold. Each report is signed (S/MIME, the agent's
        certificate). The load is the proxy's own: its cgroup's or its processes' CPU and memory,
        so several proxies on one host report different figures.

        The file has one key = value per line (# comments):
          listen = HOST:PORT     where gateways subscribe (the gateway's --agent-port)
          name = NAME            the agent's name in its reports
          certificate = FILE     its certificate (PEM; must name the proxy's address, which the
                                 gateway dials); key = FILE its key; trust = FILE the CAs a
                                 gateway's certificate must chain to (bastion pki init makes them)
          cgroup = DIR | process = NAME | pid = N
                                 whose load: a cgroup v2 directory, every process of that name,
                                 or one process
          period = SECONDS       between reports (default 5)
          max_sessions = N       calls the proxy is configured to hold (default 0: not known)
          cpu_alarm = SHARE      report at once when the CPU share crosses it (default 0.8)
          memory_alarm = SHARE   the same for memory (default 0.9)
          subscribers = NAME,... names a gateway's certificate must carry (default: any trusted)

        Exit codes: 0 stopped normally, 1 could not start (file, address, certificates), 2 usage error.
        """;

    private final PrintStream out;
    private final PrintStream err;

    AgentCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                out.print(HELP);
                return Main.OK;
            }
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else {
                throw new Main.UsageException("unknown option " + args[i]);
            }
        }
        if (file == null) {
            throw new Main.UsageException("--config FILE is needed");
        }
        AgentConfig config;
        try {
            config = AgentConfig.load(file);
        } catch (AgentConfig.Invalid e) {
            err.println("bastion agent: the configuration cannot be used:");
            e.problems().forEach(err::println);
            return Main.FAILED;
        } catch (IOException e) {
            err.println("bastion agent: cannot read " + file + ": " + e.getMessage());
            return Main.FAILED;
        }
        WorkloadAgent agent;
        try {
            agent = WorkloadAgent.start(config, err);
        } catch (IOException | RuntimeException e) {
            err.println("bastion agent: cannot start: " + e.getMessage());
            return Main.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.FAILED;
        }
        out.println("SIP Bastion agent " + config.name() + " listening on tls:" + agent.localAddress().getAddress().getHostAddress()
            + ":" + agent.localAddress().getPort() + ", reporting every " + config.periodMillis() / 1000.0 + " s the load of "
            + (config.cgroup() != null ? "cgroup " + config.cgroup() : config.process() != null ? "processes " + config.process()
            : "pid " + config.pid()));
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                closed.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bastion-agent-shutdown"));
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            agent.close();
            out.println("bastion agent: stopped after " + agent.notifies() + " NOTIFYs");
            out.flush();
            closed.countDown();
        }
        return Main.OK;
    }
}
