"""`make run`: start the Procfile's processes with honcho, stop them all cleanly on Ctrl-C.

    python -m config.run [--port 8000] [web worker beat]

honcho's own `start` answers Ctrl-C with exit status 130 and, five seconds after asking
the processes to stop, sends SIGKILL every tenth of a second until they are gone: a Celery
worker finishing its tasks (warm shutdown, several seconds on the embedded broker) was
killed mid-task and the terminal filled with "sending SIGKILL" lines. This runner uses
honcho's manager as is but

- waits up to STOP_GRACE_SECONDS for SIGTERM to work, then sends SIGKILL once;
- exits 0 when it was asked to stop and every process stopped cleanly (an exit status of
  0, or death by the SIGTERM it was sent), otherwise with the first failure's status;
- when started from a terminal, takes the terminal's foreground for its own process group:
  Ctrl-C then reaches only this runner, not `make`, which would otherwise report
  "Interrupt" and exit 130 whatever its recipe did. The foreground goes back on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import signal
import sys
from pathlib import Path

from honcho.environ import expand_processes, parse, parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

ROOT = Path(__file__).resolve().parent.parent
# A warm shutdown finishes the worker's running tasks; time limits are far longer, but
# under `make run` a task longer than this is not worth waiting for.
STOP_GRACE_SECONDS = 20
CLEAN_STOPS = {0, -signal.SIGTERM, 128 + signal.SIGTERM}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class GracefulManager(Manager):
    """honcho's manager, with one SIGKILL after a grace period instead of a stream."""

    _stop_began: datetime.datetime | None = None
    _killed = False

    def terminate(self):
        if self._stop_began is None:
            self._stop_began = self._clock.now()
        super().terminate()

    def kill(self):
        # honcho calls this on every pass of its loop once its own 5 s wait is over.
        waited = self._clock.now() - (self._stop_began or self._clock.now())
        if self._killed or waited < datetime.timedelta(seconds=STOP_GRACE_SECONDS):
            return
        self._killed = True
        super().kill()

    def request_stop(self, signum, _frame) -> None:
        self._system_print(f"{signal.Signals(signum).name} received\n")
        self.returncode = 128 + signum
        self.terminate()

    def exit_status(self) -> int:
        # honcho's handlers set 130 (SIGINT) or 143 (SIGTERM), ours 129 (SIGHUP).
        stop_requested = self.returncode in {128 + s for s in STOP_SIGNALS}
        codes = [process.get("returncode") for process in self._processes.values()]
        failures = [code for code in codes if code not in CLEAN_STOPS]
        if stop_requested and not failures:
            return 0
        return next((code if code > 0 else 128 - code for code in failures), 1)


@contextlib.contextmanager
def terminal_foreground():
    """Make this process group the terminal's foreground group while the body runs."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        yield  # no terminal: CI, tests, a service manager
        return
    try:
        previous = os.tcgetpgrp(tty)
        if previous != os.getpgrp():
            yield  # started in the background: leave the terminal alone
            return
        try:
            os.setpgid(0, 0)
        except OSError:  # a session leader cannot change group: leave things as they are
            yield
            return
        _set_foreground(tty, os.getpgrp())
        try:
            yield
        finally:
            _set_foreground(tty, previous)
    finally:
        os.close(tty)


def _set_foreground(tty: int, group: int) -> None:
    # A background group that changes the foreground is sent SIGTTOU: ignore it meanwhile.
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(tty, group)
    finally:
        signal.signal(signal.SIGTTOU, old)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-p", "--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("-f", "--procfile", default=str(ROOT / "Procfile"))
    parser.add_argument("processes", nargs="*", help="process types to start (default: all)")
    args = parser.parse_args(argv)

    procfile = parse_procfile(Path(args.procfile).read_text())
    processes = {
        name: command
        for name, command in procfile.processes.items()
        if not args.processes or name in args.processes
    }
    # Like `honcho start`, a .env file in the project root sets the processes' variables.
    dotenv = ROOT / ".env"
    app_env = parse(dotenv.read_text()) if dotenv.exists() else {}
    manager = GracefulManager(Printer(sys.stdout))
    for process in expand_processes(processes, env=app_env, port=args.port):
        manager.add_process(process.name, process.cmd, env={**os.environ, **process.env})

    # honcho handles SIGINT and SIGTERM itself (terminate, remember 130/143); a closed
    # terminal sends SIGHUP to the foreground group, which is now ours: stop then too.
    signal.signal(signal.SIGHUP, manager.request_stop)
    with terminal_foreground():
        manager.loop()
    return manager.exit_status()


if __name__ == "__main__":
    sys.exit(main())
