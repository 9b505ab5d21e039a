#!/usr/bin/env python3
"""Attribution of the latency tail, second by second (used by tail-attribution.sh; Python 3 standard library only).

  tail_attribution.py sample OUT.jsonl ADMIN_ENDPOINT CA_FILE TOKEN_FILE SERVER_PID [HARNESS_PID_FILE]
      Once a second until killed: the gateway's /metrics (latency, stage and event-loop-delay histograms as per-second
      deltas, audit backlog, engine queue), CPU per thread group of the server (and of the harness whose pid is in the
      file, when there is one) from /proc, and the machine's steal and iowait from /proc/stat. One JSON line per second.

  tail_attribution.py report NAME:SAMPLES.jsonl:GC.log... -- NAME#i RATE%=RUN.json...
      For each harness run (its --json file, with its per-second series): p50/p99/p99.9 as the client saw them, then the
      worst seconds beside every suspect's figures for the same second, and a count of which suspects stood out in the
      seconds whose p99 was over the target.
"""
import json
import math
import os
import re
import ssl
import sys
import time
import urllib.request

# thread groups, by the name the kernel shows for each thread (15 characters at most)
GROUPS = [
    ("loops", re.compile(r"^(multiThreadIoEv|epollEventLoopG|nioEventLoopGro|kmsgw-loop)")),
    ("crypto", re.compile(r"^kmsgw-crypto")),
    ("audit", re.compile(r"^kmsgw-audit")),
    ("jobs", re.compile(r"^kmsgw-(jobs|disk|probe|follow)")),
    ("gc", re.compile(r"^(GC Thread|G1 |VM Thread|ZWorker|ZDirector|ZDriver|ZStat|ZUnmapper|ZRuntime|Parallel)")),
    ("jit", re.compile(r"^C[12] Compiler")),
]


def group(name):
    for g, rx in GROUPS:
        if rx.match(name):
            return g
    return "other"


def threads(pid):
    """({group: CPU clock ticks}, {group: ns runnable but waiting for a CPU}) over every thread of pid, from /proc."""
    cpu, wait = {}, {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return cpu, wait
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                waited = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the thread ended between the listing and the read
        g = group(stat[stat.index("(") + 1:stat.rindex(")")])
        fields = stat[stat.rindex(")") + 2:].split()
        cpu[g] = cpu.get(g, 0) + int(fields[11]) + int(fields[12])
        wait[g] = wait.get(g, 0) + waited
    return cpu, wait


def machine():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    return {"total": sum(cpu[:8]), "iowait": cpu[4], "steal": cpu[7] if len(cpu) > 7 else 0}


METRIC = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([0-9.eE+-]+|NaN|\+Inf)$')


def scrape(url, ctx, token):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, context=ctx, timeout=5) as r:
        text = r.read().decode()
    m = {}
    for line in text.splitlines():
        mm = METRIC.match(line)
        if mm and (mm.group(1).startswith("kmsgw_request_latency_seconds_bucket") or mm.group(1).startswith("kmsgw_request_stage")
                   or mm.group(1).startswith("kmsgw_event_loop_delay") or mm.group(1) in (
                       "kmsgw_audit_backlog", "kmsgw_engine_queue_depth", "kmsgw_audit_written_total")):
            m[mm.group(1) + (mm.group(2) or "")] = float(mm.group(3))
    return m


def sample(out, endpoint, ca, token_file, pid, harness_pid_file=None):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    token = open(token_file).read().strip()
    url = f"https://{endpoint}/metrics"
    with open(out, "a") as f:
        while True:
            time.sleep(1 - time.time() % 1 + 0.02)  # just after each second boundary, as the harness's series
            second = int(time.time()) - 1
            cpu, wait = threads(pid)
            row = {"second": second, "server": cpu, "serverWait": wait, "machine": machine()}
            if harness_pid_file and os.path.exists(harness_pid_file):
                hp = open(harness_pid_file).read().strip()
                if hp:
                    row["harness"], row["harnessWait"] = threads(hp)
            try:
                row["metrics"] = scrape(url, ctx, token)
            except Exception as e:  # the gateway may be between runs or gone; keep the CPU figures
                row["scrapeError"] = type(e).__name__
            f.write(json.dumps(row) + "\n")
            f.flush()


# --- report ---------------------------------------------------------------------------------------------------------

LOG_TIME = re.compile(r"^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})")
GC_PAUSE = re.compile(r"Pause .* ([0-9.]+)ms$")
SAFEPOINT = re.compile(r'Safepoint "([^"]+)".*Reaching safepoint: (\d+) ns.*Total: (\d+) ns')


def parse_log(path):
    """{second: {gcMaxMs, gcMs, safepointMaxMs, safepointWhat, ttspMaxMs}} from a -Xlog:gc,safepoint file with utctime."""
    per = {}
    if not path or not os.path.exists(path):
        return per
    import calendar
    for line in open(path, errors="replace"):
        t = LOG_TIME.match(line)
        if not t:
            continue
        sec = calendar.timegm(time.strptime(t.group(1), "%Y-%m-%dT%H:%M:%S"))
        s = per.setdefault(sec, {"gcMaxMs": 0.0, "gcMs": 0.0, "safepointMaxMs": 0.0, "safepointWhat": "", "ttspMaxMs": 0.0})
        g = GC_PAUSE.search(line.rstrip())
        if g:  # G1's "[gc] Pause Young ... 2.3ms", ZGC's "[gc,phases] Pause Mark Start 0.01ms"
            ms = float(g.group(1))
            s["gcMs"] += ms
            s["gcMaxMs"] = max(s["gcMaxMs"], ms)
        p = SAFEPOINT.search(line)
        if p:
            total = int(p.group(3)) / 1e6
            if total > s["safepointMaxMs"]:
                s["safepointMaxMs"] = total
                s["safepointWhat"] = p.group(1)
            s["ttspMaxMs"] = max(s["ttspMaxMs"], int(p.group(2)) / 1e6)
    return per


def buckets(metrics, prefix, label=None):
    """Sorted [(le seconds, cumulative count)] of one histogram in a scrape."""
    out = []
    for k, v in metrics.items():
        if not k.startswith(prefix + "{"):
            continue
        if label and label not in k:
            continue
        le = re.search(r'le="([^"]+)"', k).group(1)
        out.append((math.inf if le == "+Inf" else float(le), v))
    return sorted(out)


def quantile(before, after, q):
    """The q-quantile (upper bucket bound, ms) of the observations between two cumulative scrapes, and their count."""
    b = dict(before)
    diff = [(le, c - b.get(le, 0)) for le, c in after]
    if not diff or diff[-1][1] <= 0:
        return None, 0
    n = diff[-1][1]
    for le, c in diff:
        if c >= q * n:
            return (le * 1000 if le != math.inf else math.inf), n
    return math.inf, n


def stage_mean(before, after, stage):
    """A stage's mean (ms) over the requests between two scrapes (the stage timers keep count, sum and max, no buckets)."""
    key = f'{{stage="{stage}"}}'
    n = after.get("kmsgw_request_stage_seconds_count" + key, 0) - before.get("kmsgw_request_stage_seconds_count" + key, 0)
    t = after.get("kmsgw_request_stage_seconds_sum" + key, 0) - before.get("kmsgw_request_stage_seconds_sum" + key, 0)
    return None if n <= 0 else 1000 * t / n


def top_bucket(before, after):
    """The upper bound (ms) of the highest non-empty bucket between two scrapes: the worst observation, to bucket precision."""
    b = dict(before)
    prev = 0
    worst = None
    for le, c in after:
        d = c - b.get(le, 0)
        if d > prev:
            worst = le
        prev = d
    return None if worst is None else worst * 1000


def fmt(x, unit=""):
    if x is None:
        return "-"
    if x == math.inf:
        return ">10s"
    return f"{x:.1f}{unit}" if isinstance(x, float) else f"{x}{unit}"


def report(servers, runs):
    """servers: NAME:SAMPLES.jsonl:GC.log (SAMPLES may be empty, as for the floor); runs: NAME#i RATE%=RUN.json."""
    per = {}
    for spec in servers:
        name, samples_path, log = spec.split(":", 2)
        samples = {}
        if samples_path and os.path.exists(samples_path):
            for line in open(samples_path):
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                samples[r["second"]] = r
        per[name] = (samples, parse_log(log))
    summary = {}
    for arg in runs:
        label, path = arg.split("=", 1)
        name = label.split("#")[0]
        samples, gc = per.get(name, ({}, {}))
        run = json.load(open(path))
        target = TARGET_P99_MICROS.get(label.split()[-1], 5000)
        summary.setdefault((name, label.split()[-1]), []).append(run)
        print(f"\n== {label}: {run['mode']}, {run['throughput']} req/s, errors {run['errors']}")
        print(f"   client p50 {run['p50Micros'] / 1000:.2f} ms  p99 {run['p99Micros'] / 1000:.2f} ms  "
              f"p99.9 {run['p999Micros'] / 1000:.2f} ms  max {run['maxMicros'] / 1000:.1f} ms")
        seconds = run.get("seconds", [])
        has_metrics = bool(samples)
        if has_metrics and seconds:
            first, last = seconds[0]["second"] - 1, seconds[-1]["second"]
            if first in samples and last in samples and "metrics" in samples[first] and "metrics" in samples[last]:
                a, b = samples[first]["metrics"], samples[last]["metrics"]
                q99, n = quantile(buckets(a, "kmsgw_request_latency_seconds_bucket", 'api="Encrypt"'),
                                  buckets(b, "kmsgw_request_latency_seconds_bucket", 'api="Encrypt"'), 0.99)
                q999, _ = quantile(buckets(a, "kmsgw_request_latency_seconds_bucket", 'api="Encrypt"'),
                                   buckets(b, "kmsgw_request_latency_seconds_bucket", 'api="Encrypt"'), 0.999)
                print(f"   server histogram (first byte read to last byte written), same seconds: p99 <= {fmt(q99, ' ms')}  "
                      f"p99.9 <= {fmt(q999, ' ms')}  ({int(n)} requests)")
        sp = [gc[s["second"]]["safepointMaxMs"] for s in seconds if s["second"] in gc]
        gp = [gc[s["second"]]["gcMaxMs"] for s in seconds if s["second"] in gc]
        gt = sum(gc[s["second"]]["gcMs"] for s in seconds if s["second"] in gc)
        print(f"   server JVM over the run: GC pauses {gt:.0f} ms in all, max {max(gp, default=0):.1f} ms; safepoint max "
              f"{max(sp, default=0):.1f} ms | harness: hiccup max "
              f"{max((s['hiccupMaxMicros'] for s in seconds), default=0) / 1000:.1f} ms, loop lag max "
              f"{max((s['loopLagMaxMicros'] for s in seconds), default=0) / 1000:.1f} ms, GC "
              f"{sum(s['gcMillis'] for s in seconds)} ms")
        worst = sorted(seconds, key=lambda s: -s["p99Micros"])[:5]
        print("   worst seconds:  second  n  p99  max | server: p99 mean(read handle write) loopDelayMax GCmax safepoint(what) "
              "cpu%[loops crypto audit jobs gc jit other] runq-wait-ms[loops all] | harness: hiccup lag gc cpu% runq-wait-ms "
              "| machine steal% iowait%")
        for s in sorted(worst, key=lambda s: s["second"]):
            sec = s["second"]
            cur, prev = samples.get(sec), samples.get(sec - 1)
            srv = ""
            if cur and prev and "metrics" in cur and "metrics" in prev:
                m0, m1 = prev["metrics"], cur["metrics"]
                p99, _ = quantile(buckets(m0, "kmsgw_request_latency_seconds_bucket", 'api="Encrypt"'),
                                  buckets(m1, "kmsgw_request_latency_seconds_bucket", 'api="Encrypt"'), 0.99)
                st = [stage_mean(m0, m1, x) for x in ("read", "handle", "write")]
                loop = top_bucket(buckets(m0, "kmsgw_event_loop_delay_seconds_bucket"),
                                  buckets(m1, "kmsgw_event_loop_delay_seconds_bucket"))
                srv = f"{fmt(p99)} " + " ".join("-" if x is None else f"{x:.2f}" for x in st) + f" {fmt(loop)}"
            else:
                srv = "- - - - -"
            g = gc.get(sec, {})
            cpu = ""
            hcpu = ""
            mach = ""
            if cur and prev:
                ticks = lambda key, grp: cur.get(key, {}).get(grp, 0) - prev.get(key, {}).get(grp, 0)
                cpu = " ".join(str(ticks("server", x)) for x, _ in GROUPS + [("other", None)])
                hcpu = str(max(0, sum(cur.get("harness", {}).values()) - sum(prev.get("harness", {}).values())))
                cpu += (f"] [{waited(cur, prev, 'serverWait', 'loops'):.0f} {waited(cur, prev, 'serverWait'):.0f}")
                hcpu += f" {waited(cur, prev, 'harnessWait'):.0f}"
                tot = cur["machine"]["total"] - prev["machine"]["total"]
                if tot > 0:
                    mach = (f"{100 * (cur['machine']['steal'] - prev['machine']['steal']) / tot:.0f} "
                            f"{100 * (cur['machine']['iowait'] - prev['machine']['iowait']) / tot:.0f}")
            print(f"     {time.strftime('%H:%M:%S', time.gmtime(sec))} {s['count']:>6} {s['p99Micros'] / 1000:6.1f} "
                  f"{s['maxMicros'] / 1000:6.1f} | {srv} {g.get('gcMaxMs', 0):.1f} {g.get('safepointMaxMs', 0):.1f}"
                  f"({g.get('safepointWhat', '')}) [{cpu}] | {s['hiccupMaxMicros'] / 1000:.1f} "
                  f"{s['loopLagMaxMicros'] / 1000:.1f} {s['gcMillis']} {hcpu} | {mach}")
        # which suspects stood out in the seconds over the target
        bad = [s for s in seconds if s["p99Micros"] > target]
        counts = {}
        for s in bad:
            sec = s["second"]
            g = gc.get(sec, {})
            flags = []
            if g.get("gcMaxMs", 0) >= 5:
                flags.append("server GC pause >= 5 ms")
            if g.get("safepointMaxMs", 0) >= 5:
                flags.append("server safepoint >= 5 ms")
            if s["hiccupMaxMicros"] >= 5000:
                flags.append("harness hiccup >= 5 ms")
            if s["loopLagMaxMicros"] >= 5000:
                flags.append("harness loop lag >= 5 ms")
            if s["gcMillis"] >= 5:
                flags.append("harness GC >= 5 ms")
            cur, prev = samples.get(sec), samples.get(sec - 1)
            if cur and prev and cur["machine"]["total"] > prev["machine"]["total"]:
                tot = cur["machine"]["total"] - prev["machine"]["total"]
                if 100 * (cur["machine"]["steal"] - prev["machine"]["steal"]) / tot >= 2:
                    flags.append("CPU steal >= 2 %")
                if ticks_of(cur, prev, "server", "jit") >= 20:
                    flags.append("server JIT >= 20 % of a core")
            if cur and prev and waited(cur, prev, "serverWait", "loops") >= 50:
                flags.append("server event loops waited >= 50 ms for a CPU")
            if cur and prev and waited(cur, prev, "harnessWait") >= 50:
                flags.append("harness threads waited >= 50 ms for a CPU")
            if not flags:
                flags.append("none of these")
            for fl in flags:
                counts[fl] = counts.get(fl, 0) + 1
        print(f"   seconds with p99 over {target / 1000:.0f} ms: {len(bad)} of {len(seconds)}"
              + ("; in them: " + ", ".join(f"{k} ({v})" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])) if bad else ""))
    print("\n== Summary: client p99 / p99.9 (ms) of each run, in order")
    for (name, rate), rs in summary.items():
        target = TARGET_P99_MICROS.get(rate, 5000)
        held = sum(1 for r in rs if r["p99Micros"] <= target)
        print(f"   {name:>8} {rate:>4}: " + "  ".join(f"{r['p99Micros'] / 1000:.1f}/{r['p999Micros'] / 1000:.1f}" for r in rs)
              + f"   (p99 <= {target / 1000:.0f} ms in {held} of {len(rs)}; mean server CPU "
              + f"{sum(r.get('serverCpuMicrosPerRequest', 0) for r in rs) / len(rs):.1f} us/req)")
    

# the targets: p99 <= 5 ms at half of the closed-loop saturation, <= 20 ms at 80 %
TARGET_P99_MICROS = {"50%": 5000, "80%": 20000}


def waited(cur, prev, key, grp=None):
    """Milliseconds of run-queue wait in one second (one group's, or all threads')."""
    a, b = cur.get(key, {}), prev.get(key, {})
    if grp:
        d = a.get(grp, 0) - b.get(grp, 0)
    else:
        d = sum(a.values()) - sum(b.values())
    return max(0, d) / 1e6  # negative across a change of harness process: no figure for that second


def ticks_of(cur, prev, key, grp):
    return cur.get(key, {}).get(grp, 0) - prev.get(key, {}).get(grp, 0)


if __name__ == "__main__":
    if len(sys.argv) >= 7 and sys.argv[1] == "sample":
        sample(*sys.argv[2:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "report" and "--" in sys.argv:
        cut = sys.argv.index("--")
        report(sys.argv[2:cut], sys.argv[cut + 1:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
