"""Where one Rasa server spends its CPU per message: cProfile under load, startup excluded.

    python -m bench.profile_rasa [--conversations 20] [--per-conversation 15] [--top 40]
    python -m bench.profile_rasa --one-at-a-time 300     # the latency path, one citizen at a time

Starts the action server and one Rasa server (SQLite tracker store, as `running_assistant`),
warms it up, then profiles only the load: Rasa (or, with `--process actions`, the action
server) runs inside `serve()` below, which turns the profiler on at SIGUSR1 and writes the statistics at SIGUSR2. Prints the functions with the
most cumulative and own time, and the CPU ms per message of each process (from /proc, so
other work on the machine does not count). cProfile slows Python calls down about twofold:
read the shares, not the absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import signal
import sys
import time
from pathlib import Path

from actions.settings import PROJECT_ROOT as ROOT


def serve(out: str, rasa_args: list) -> None:
    """Run `python -m rasa_server` with `rasa_args`, profiled between SIGUSR1 and SIGUSR2.
    Signal handlers run on the main thread, where Rasa's event loop runs."""
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting
    signal.signal(signal.SIGUSR1, lambda *_: profiler.enable())

    def dump(*_):
        profiler.disable()
        profiler.dump_stats(out)

    signal.signal(signal.SIGUSR2, dump)
    from rasa_server.__main__ import main

    sys.argv = ["rasa", *rasa_args]
    main()


def run(args) -> None:
    from bench import load, messages
    from bench.measure import cpu_seconds, newest_model
    from scripts import stack as st

    work = Path(args.work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = st.server_env({"PYTHONPATH": str(ROOT)})
    actions_port, rasa_port = st.free_port(), st.free_port()
    actions_url, rasa_url = f"http://127.0.0.1:{actions_port}", f"http://127.0.0.1:{rasa_port}"
    endpoints = work / "endpoints.yml"
    (work / "tracker.db").unlink(missing_ok=True)
    st.write_endpoints(endpoints, actions_url, work / "tracker.db")
    out = work / f"{args.process}.prof"
    out.unlink(missing_ok=True)

    def served(command: list) -> list:  # `command` run inside serve(), profiled on signal
        return [sys.executable, "-m", "bench.profile_rasa", "--serve", str(out), *command[3:]]

    actions_args = st.actions_command(actions_port)
    actions = st.start(served(actions_args) if args.process == "actions" else actions_args,
                       work / "actions.log", {**env, **st.ACTIONS_ON_LOOPBACK}, ROOT)
    rasa = None
    try:
        st.wait_until_up(f"{actions_url}/health", actions, work / "actions.log", 240)
        model = str(args.model or newest_model(ROOT / "models"))
        # Rasa's own command line (scripts/stack.py) after `--serve <out>`: profiled as served
        rasa_args = st.rasa_command(rasa_port, endpoints, Path(model), ROOT / "credentials.yml")
        rasa = st.start(served(rasa_args) if args.process == "rasa" else rasa_args,
                        work / "rasa.log", env, ROOT)
        st.wait_until_up(f"{rasa_url}/", rasa, work / "rasa.log", 240)
        url = f"{rasa_url}/webhooks/rest/webhook"
        load.warm_up(url, messages.OUR_EPISODES)
        profiled = rasa if args.process == "rasa" else actions
        if args.profile:
            os.kill(profiled.pid, signal.SIGUSR1)
        before = {"rasa": cpu_seconds(rasa.pid), "actions": cpu_seconds(actions.pid)}
        if args.one_at_a_time:  # as make bench's first figure: 10 messages per citizen
            result = load.sequential(url, messages.OUR_EPISODES, args.one_at_a_time)
        else:
            result = load.concurrent(url, messages.OUR_EPISODES, args.conversations,
                                     args.per_conversation)
        after = {"rasa": cpu_seconds(rasa.pid), "actions": cpu_seconds(actions.pid)}
        if args.profile:
            os.kill(profiled.pid, signal.SIGUSR2)
            deadline = time.monotonic() + 30
            while not out.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
        summary = result.summary()
        at_once = 1 if args.one_at_a_time else args.conversations
        print(f"{result.messages} messages, {at_once} at once: p50 {summary['p50_ms']} ms, "
              f"{summary['throughput_msg_s']} msg/s, p95 {summary['p95_ms']} ms, "
              f"{summary['failures']} failed, {summary['empty_replies']} empty")
        print("CPU ms per message: " + ", ".join(
            f"{name} {(after[name] - before[name]) * 1000 / result.messages:.1f}"
            for name in before) + ("  (profiled: about 2x slower)" if args.profile else ""))
    finally:
        for process in (rasa, actions):
            if process is not None:
                st.stop(process)
    if args.profile and out.exists():
        for order in ("cumulative", "tottime"):
            print(f"\n--- by {order} ---")
            pstats.Stats(str(out)).strip_dirs().sort_stats(order).print_stats(args.top)


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        serve(argv[1], argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.profile_rasa", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="default: newest in models/")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--per-conversation", type=int, default=15)
    parser.add_argument("--process", choices=("rasa", "actions"), default="rasa",
                        help="the server profiled (the other runs as usual)")
    parser.add_argument("--one-at-a-time", type=int, default=0, metavar="N",
                        help="instead: N messages one conversation at a time, 10 per citizen")
    parser.add_argument("--top", type=int, default=40, help="functions listed per ordering")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="only the CPU ms per message, without the profiler's overhead")
    parser.add_argument("--work-dir", default=str(ROOT / "var" / "profile"),
                        help="logs, tracker database and <process>.prof (default var/profile)")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
