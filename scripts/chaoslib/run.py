"""Runs moto and the skistack binary for the chaos checks: a scratch copy
of the stacks with its own state, credentials that reach only the given
endpoint, and a run that can be killed with SIGKILL at a chosen moment.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---------------------------------------------------------------- moto


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(workdir):
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "moto")], check=True)
    port = free_port()
    log = open(os.path.join(workdir, "moto.log"), "w")
    proc = subprocess.Popen(
        ["bash", os.path.join(ROOT, "scripts", "moto"), "start", str(port)],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    sys.exit("moto did not start; see " + log.name)


# ---------------------------------------------------------------- skistack


class Skistack:
    """Runs the binary on a scratch copy of the stacks with its own state."""

    def __init__(self, binary, endpoint, workdir, landing_window="0s"):
        self.binary = binary
        self.workdir = workdir
        self.state = os.path.join(workdir, "state.db")
        stacks = os.path.join(workdir, "stacks")
        os.makedirs(stacks, exist_ok=True)
        for name in os.listdir(os.path.join(ROOT, "stacks")):
            if name.endswith(".toml"):
                shutil.copy(os.path.join(ROOT, "stacks", name), stacks)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("AWS_", "SKISTACK_"))}
        nowhere = os.path.join(workdir, "no-aws-config")
        self.env.update({
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_CONFIG_FILE": nowhere,
            "AWS_SHARED_CREDENTIALS_FILE": nowhere,
            "AWS_EC2_METADATA_DISABLED": "true",
            # moto runs a request before it answers: what a killed run sent
            # has landed by the time the next run looks, so the random trials
            # need no window; the window sweep holds requests and passes one.
            "SKISTACK_AWS_LANDING_WINDOW": landing_window,
            "NO_COLOR": "1",
        })

    def argv(self, args):
        return [self.binary, "--stacks-dir", "stacks", "--state", self.state] + args

    def run(self, args, check=True):
        start = time.monotonic()
        p = subprocess.run(self.argv(args), cwd=self.workdir, env=self.env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        elapsed = time.monotonic() - start
        if check and p.returncode != 0:
            raise Failure(f"`skistack {' '.join(args)}` exited {p.returncode}:\n"
                          f"{p.stdout}\n{p.stderr}")
        return p, elapsed

    def run_and_kill(self, args, delay):
        """Starts a run and SIGKILLs it after `delay` seconds; returns
        (killed, elapsed, stderr)."""
        start = time.monotonic()
        p = subprocess.Popen(self.argv(args), cwd=self.workdir, env=self.env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            p.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            killed = True
        elapsed = time.monotonic() - start
        err = p.stderr.read() if p.stderr else ""
        if not killed and p.returncode != 0:
            raise Failure(f"`skistack {' '.join(args)}` exited {p.returncode} before the kill:\n{err}")
        return killed, elapsed, err


    def start(self, args, log):
        """Starts a run in its own process group, its output to `log` (a
        file: a pipe nobody reads would stall a long run)."""
        return subprocess.Popen(self.argv(args), cwd=self.workdir, env=self.env,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    @staticmethod
    def kill(p):
        """SIGKILLs a run started by `start` and its children."""
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


class Failure(Exception):
    pass
