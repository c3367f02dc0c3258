#!/usr/bin/env python3
"""A voice-agent provider of the http kind for bench/dispatch.sh: it answers every POST (a dial,
POST /calls, or a cancel) with 202 after LATENCY_MS, sends no events, and logs each dial it takes
as "<epoch seconds> <callId> <interviewId>". Loopback only.

    bench/fake-provider.py PORT_FILE LATENCY_MS LOG_FILE

It listens on a free loopback port, which it writes to PORT_FILE once it accepts connections.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT_FILE, LATENCY, LOG = sys.argv[1], float(sys.argv[2]) / 1000.0, sys.argv[3]
lock = threading.Lock()
log = open(LOG, "a", buffering=1)


class Provider(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: Parley keeps its connections to a provider open

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(LATENCY)  # the provider's answer time
        if self.path == "/calls":
            call = json.loads(body)
            with lock:
                log.write("%.6f %s %s\n" % (time.time(), call["callId"], call["interviewId"]))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default listen backlog of 5 drops most of a burst of new connections


server = Server(("127.0.0.1", 0), Provider)
with open(PORT_FILE, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
