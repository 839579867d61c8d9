"""The window sweep: every AWS call that changes something, in every
scenario, is the moment of one kill.

A scenario is a command from a known starting point: `up` of
`environments` from nothing, `change` (an `up` that replaces the task definition, updates
the service and the launch template: a new `image_tag`, `instance_type`
and `desired_count`), `destroy` of the deployed stack, and `repo-up` / `repo-destroy`, the same
for the `repositories` stack (its ECR repository). A recording run
of each, with `--parallel 1` so that calls come one at a time and in the
same order, lists its calls through the hold proxy; every call that is not
a read is a window, named by its action and occurrence (`CreateTags #3`).

For each window the scenario starts again from its starting point; the
proxy holds that request; skistack is killed with SIGKILL while it is
held; then the request lands at moto, once right away and once `late`:
just before the next run repeats the same call (when the next run has no
such call, the request is lost instead), or for a create, within the
landing window (skistack's wait for such requests, 4 s here) while the next
run looks for it. A create that takes no idempotency token is also tried
landing `after` the window, once the next run has made the resource again:
then the run after that must find and delete the late duplicate. `--drop`
also tries each create lost. Then one plain run of the command converges
(two after `after`) and the checks
run through the AWS API, not through skistack: each logical resource once,
nothing untracked, nothing recorded missing, no pending operation, a sound
state file, `preview --expect-no-changes`, and every resource configured
as after a clean run of the scenario (the recording run). After a destroy
window, nothing of the stack may remain.
"""

import os
import threading
import time

from chaoslib.cloud import STACK, Configuration, check, divergences, read_state
from chaoslib.proxy import is_read
from chaoslib.run import Failure

# The change scenario: config values that replace the task definition,
# update the service in place and give the launch template a new version.
CHANGE = {"image_tag": ("latest", "v2"), "instance_type": ("t3.small", "t3.medium"),
          "desired_count": ("2", "3"), "bastion_instance_type": ("t3.micro", "t3.small"),
          "health_check_path": ("/", "/health"), "log_retention_days": ("30", "14"),
          "container_port": ("80", "8080")}

SCENARIOS = ("up", "change", "destroy", "repo-up", "repo-destroy")
REPOSITORIES = "repositories"

# What a lost request of these actions would have made.
CREATES = ("Create", "Run", "Register", "Allocate", "Put", "Import")
# The first calls of creates, which recovery looks for within the window.
FIRST_CALLS = ("Create", "Run", "Register", "Allocate", "Import")
# Creates that take no idempotency token: the AWS types' NOT_IDEMPOTENT
# lists in providers/aws/src. Only these can make a second resource when a
# request lands after the next run made it again (moto ignores the tokens
# of the others, see ../shared/notes/moto-fidelity.md, AWS does not).
TOKENLESS = ("CreateVpc", "CreateInternetGateway", "AllocateAddress", "CreateRouteTable",
             "CreateSubnet", "RegisterTaskDefinition")
# skistack's landing window in the sweep, and when in it a `late` create
# lands: well before the window ends (intents record their start in whole
# seconds, so the next run's second look may come up to 1 s early).
LANDING_WINDOW = 4.0
LATE_CREATE = 1.0


class Scenario:
    """How to reach a scenario's starting point, its command, and how a run
    after a kill converges. `repo-up` and `repo-destroy` are `up` and
    `destroy` of the `repositories` stack (the ECR repository)."""

    def __init__(self, name, sk):
        self.name = name
        self.sk = sk
        self.stack = REPOSITORIES if name.startswith("repo-") else STACK
        self.destroys = name.endswith("destroy")

    def _set_change(self, which):
        for key, values in CHANGE.items():
            self.sk.run(["config", "set", STACK, key, values[which]])

    def _deployed(self, stack):
        return bool(read_state(self.sk.state, stack)[0])

    def prepare(self):
        sk = self.sk
        if self.stack == REPOSITORIES and self._deployed(STACK):
            sk.run(["destroy", STACK, "--yes"])
        if self.name in ("up", "repo-up"):
            if self._deployed(self.stack):
                sk.run(["destroy", self.stack, "--yes"])
        elif self.name == "change":
            self._set_change(0)
            sk.run(["up", STACK, "--yes"])
            self._set_change(1)
        else:
            sk.run(["up", self.stack, "--yes"])

    def command(self, slow=True):
        verb = "destroy" if self.destroys else "up"
        return [verb, self.stack, "--yes"] + (["--parallel", "1"] if slow else [])

    def finish(self):
        """Leaves the change scenario's config as the stack file has it, and
        the repository deployed for the scenarios of `environments`."""
        if self.name == "change":
            for key in CHANGE:
                self.sk.run(["config", "rm", STACK, key], check=False)
        if self.stack == REPOSITORIES:
            self.sk.run(["up", REPOSITORIES, "--yes"])


def windows_of(calls, only, drop):
    """[(action, occurrence, verdict)] of a recorded run's calls."""
    seen = {}
    out = []
    for _, action in calls:
        if is_read(action):
            continue
        seen[action] = seen.get(action, 0) + 1
        n = seen[action]
        if only is not None and not (action in only and (only[action] in (None, n))):
            continue
        if only is not None and only[action] is None and n > 1:
            continue
        out.append((action, n, "land"))
        out.append((action, n, "late"))
        if action in TOKENLESS:
            out.append((action, n, "after"))
        if drop and action.startswith(CREATES):
            out.append((action, n, "drop"))
    return out


def parse_only(text):
    """`CreateVpc,CreateTags#3` -> {"CreateVpc": None, "CreateTags": 3}."""
    if not text:
        return None
    out = {}
    for part in text.split(","):
        action, _, n = part.strip().partition("#")
        out[action] = int(n) if n else None
    return out


class Sweep:
    def __init__(self, sk, cloud, proxy, workdir, verbose=False, reset=None):
        self.sk = sk
        self.reset = reset
        self.cloud = cloud
        self.config = Configuration(cloud)
        self.proxy = proxy
        self.workdir = workdir
        self.verbose = verbose
        self.totals = {"windows": 0, "divergences": 0, "duplicates": 0, "orphans": 0,
                       "missing": 0, "failed": 0, "not reached": 0, "not repeated": 0}

    def record(self, scenario):
        """The calls of one clean run, and the configuration it leaves."""
        scenario.prepare()
        self.proxy.take_log()
        self.sk.run(scenario.command())
        calls = self.proxy.take_log()
        tagged = self.cloud.tagged(scenario.stack)
        return calls, ({} if scenario.destroys else self.config.read(tagged, scenario.stack))

    def run(self, names, only, drop, list_only):
        for name in names:
            scenario = Scenario(name, self.sk)
            calls, expected = self.record(scenario)
            windows = windows_of(calls, only, drop)
            reads = sum(1 for _, a in calls if is_read(a))
            print(f"{name}: {len(calls)} calls ({reads} reads), {len(windows)} windows",
                  flush=True)
            if list_only:
                for action, n, verdict in windows:
                    print(f"    {action} #{n} {verdict}")
                scenario.finish()
                continue
            for i, window in enumerate(windows, 1):
                self.window(scenario, expected, i, len(windows), *window)
            scenario.finish()
        return self.report()

    def window(self, scenario, expected, i, count, action, n, verdict):
        label = f"{scenario.name} {i:3}/{count}: {action} #{n} {verdict}"
        problems, notes = [], []
        dup = orph = miss = div = []
        try:
            scenario.prepare()
            reached = self.kill_at(scenario, action, n, verdict)
            if not reached:
                self.totals["not reached"] += 1
                problems.append("the run finished without making this call")
            converge = self.converge(scenario, action, verdict, notes)
            dup, orph, miss, div, more = self.checks(scenario, expected)
            problems += more
            if self.verbose:
                notes += [line for line in (converge.stdout + converge.stderr).splitlines()
                          if "note:" in line]
        except Failure as e:
            problems.append(str(e))
        failed = bool(dup or orph or miss or div or problems)
        self.totals["windows"] += 1
        self.totals["divergences"] += len(div)
        self.totals["duplicates"] += len(dup)
        self.totals["orphans"] += len(orph)
        self.totals["missing"] += len(miss)
        self.totals["failed"] += 1 if failed else 0
        print(f"{label}: duplicates {len(dup)}, orphans {len(orph)}, missing {len(miss)}, "
              f"divergences {len(div)}" + ("; FAILED" if failed else ""), flush=True)
        for line in dup + orph + miss + div + problems + notes:
            print("    " + line.replace("\n", "\n    "), flush=True)
        if failed and self.reset is not None:
            self.reset()

    def converge(self, scenario, action, verdict, notes):
        """The run (or two) after the kill, with a `late` or `after` request
        landing as the verdict says."""
        timer = None
        if verdict == "late" and action.startswith(FIRST_CALLS):
            timer = threading.Timer(LATE_CREATE, self.proxy.land_deferred)
            timer.start()
        try:
            converge, _ = self.sk.run(scenario.command(slow=False))
        finally:
            if timer is not None:
                timer.cancel()
            if verdict == "after":
                self.proxy.land_deferred()
            elif self.proxy.undefer():
                self.totals["not repeated"] += 1
                notes.append("note: the next run did not repeat the call; "
                             "the held request was lost instead")
        if verdict == "after":
            converge, _ = self.sk.run(scenario.command(slow=False))
        return converge

    def kill_at(self, scenario, action, n, verdict):
        """Runs the command until the proxy holds the window's request, kills
        it, then lets the request land or drops it. False when the run
        ended without the request."""
        armed = self.proxy.arm(action, n)
        with open(os.path.join(self.workdir, "killed-run.log"), "w") as log:
            p = self.sk.start(scenario.command(), log)
            while not armed.held.wait(0.02):
                if p.poll() is not None:
                    self.proxy.disarm()
                    return False
            self.sk.kill(p)
        if verdict in ("late", "after"):
            self.proxy.defer(armed)
            return True
        self.proxy.release(armed, verdict)
        # Let any other request the dead client had sent finish at moto.
        time.sleep(0.05)
        return True

    def checks(self, scenario, expected):
        """(duplicates, orphans, missing, divergences, other problems)."""
        records, pending, integrity = read_state(self.sk.state, scenario.stack)
        problems = []
        if pending:
            problems.append("pending operations left: " + ", ".join(pending))
        if integrity != "ok":
            problems.append("integrity_check: " + integrity)
        if scenario.destroys:
            if records:
                problems.append("records left after destroy: " + ", ".join(sorted(records)))
            dup, orph, miss = check(self.cloud, records, scenario.stack)
            return dup, orph, miss, [], problems
        dup, orph, miss = check(self.cloud, records, scenario.stack)
        preview, _ = self.sk.run(["preview", scenario.stack, "--expect-no-changes"], check=False)
        if preview.returncode != 0:
            problems.append("preview after converging still has changes:\n"
                            + preview.stdout + preview.stderr)
        div = divergences(expected, self.config.read(stack=scenario.stack))
        return dup, orph, miss, div, problems

    def report(self):
        t = self.totals
        print()
        print(f"windows tried: {t['windows']} (not reached: {t['not reached']}; late requests "
              f"the next run did not repeat, so lost: {t['not repeated']})")
        print(f"divergences found: {t['divergences']}")
        print(f"duplicates found: {t['duplicates']}")
        print(f"orphans found: {t['orphans']}")
        print(f"missing from the cloud: {t['missing']}")
        print(f"failed windows: {t['failed']}")
        return 0 if not (t["failed"] or t["not reached"]) else 1
