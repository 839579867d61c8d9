"""A proxy in front of moto that can hold one chosen AWS request.

Every request passes through unchanged and is logged as (service, action),
except the one the proxy is armed for: the n-th request of an action. That
one is held, unanswered, until the caller releases it, either to `land`
(forwarded to moto after all: what a request that was in flight when the
client died does at AWS) or to `drop` (never forwarded: the request was
lost). While it is held the caller kills the client, so the window between
two calls of one operation is hit exactly, not by chance. A held request can
also be deferred to land `late`: just before the next request of the same
action (the next run's retry of it), which is when a request that was slow
to arrive does the most harm.

The action comes from the request as each AWS protocol carries it: the
`Action` form field (EC2, IAM, Auto Scaling, ELBv2: the query protocols),
the `X-Amz-Target` header (ECS, ECR, logs, SSM: JSON 1.1) or the
`/service/S/operation/O` path (RPC v2 CBOR); the service from the SigV4
credential scope.
"""

import http.client
import http.server
import re
import socketserver
import threading
import urllib.parse

READ_PREFIXES = ("Describe", "List", "Get")

# Headers the proxy sets itself or that belong to one hop.
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length",
               "proxy-connection", "te", "trailer", "upgrade"}


def is_read(action):
    """Whether an action only reads (a second execution changes nothing)."""
    return action.startswith(READ_PREFIXES)


def request_action(path, headers, body):
    """(service, action) of one AWS request."""
    service = "?"
    auth = headers.get("Authorization", "")
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request", auth)
    if m:
        service = m.group(1)
    target = headers.get("X-Amz-Target")
    if target:
        return service, target.rsplit(".", 1)[-1]
    m = re.search(r"/service/[^/]+/operation/([^/?]+)", path)
    if m:
        return service, m.group(1)
    query = urllib.parse.urlsplit(path).query
    for source in (body.decode("utf-8", "replace"), query):
        action = urllib.parse.parse_qs(source).get("Action")
        if action:
            return service, action[0]
    return service, "?"


class Armed:
    """The request to hold and what became of it."""

    def __init__(self, action, occurrence):
        self.action = action
        self.occurrence = occurrence
        self.seen = 0
        self.held = threading.Event()
        self.released = threading.Event()
        self.finished = threading.Event()
        self.verdict = None
        self.answer = None


class HoldProxy:
    """The proxy; `endpoint` is its URL for the client under test."""

    def __init__(self, upstream):
        parts = urllib.parse.urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.lock = threading.Lock()
        self.log = []
        self.armed = None
        self.deferred = None
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                service, action = request_action(self.path, self.headers, body)
                hold, due = proxy._note(service, action)
                if due is not None:
                    proxy.release(due, "land")
                if hold is not None:
                    hold.held.set()
                    hold.released.wait()
                    if hold.verdict == "drop":
                        hold.finished.set()
                        self.close_connection = True
                        return
                try:
                    status, headers, answer = proxy._forward(self.command, self.path,
                                                             self.headers, body)
                finally:
                    if hold is not None:
                        hold.finished.set()
                if hold is not None:
                    hold.answer = status
                try:
                    self.send_response(status)
                    for k, v in headers:
                        if k.lower() not in HOP_HEADERS:
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    # The client died while its request was held.
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_one

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _note(self, service, action):
        """Logs a request; returns (the armed hold when this is its request,
        a deferred request that is to land before this one)."""
        with self.lock:
            self.log.append((service, action))
            due = None
            if self.deferred is not None and self.deferred.action == action:
                due, self.deferred = self.deferred, None
            armed = self.armed
            if armed is None or armed.action != action:
                return None, due
            armed.seen += 1
            if armed.seen != armed.occurrence:
                return None, due
            self.armed = None
            return armed, due

    def _forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection(*self.upstream, timeout=120)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() not in HOP_HEADERS}
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def arm(self, action, occurrence):
        """Holds the `occurrence`-th request of `action` from now on."""
        armed = Armed(action, occurrence)
        with self.lock:
            self.armed = armed
        return armed

    def disarm(self):
        with self.lock:
            self.armed = None

    def release(self, armed, verdict):
        """Lets a held request `land` at moto or `drop`s it; returns once
        moto has answered a landed one."""
        armed.verdict = verdict
        armed.released.set()
        armed.finished.wait(timeout=120)

    def defer(self, armed):
        """Keeps a held request until the next request of its action, then
        lets it land just before that one."""
        with self.lock:
            self.deferred = armed

    def land_deferred(self):
        """Lets a deferred request land now, if it still waits."""
        with self.lock:
            armed, self.deferred = self.deferred, None
        if armed is not None:
            self.release(armed, "land")

    def undefer(self):
        """Drops a deferred request that no later request came to release;
        returns whether there was one."""
        with self.lock:
            armed, self.deferred = self.deferred, None
        if armed is not None:
            self.release(armed, "drop")
        return armed is not None

    def take_log(self):
        """The requests seen since the last call, in order."""
        with self.lock:
            log, self.log = self.log, []
        return log

    def close(self):
        self.server.shutdown()
        self.server.server_close()
