# moto's own server, answering one request at a time. moto's backends check a condition and then
# write without a lock, so under its default threaded server two concurrent conditional writes
# (two evaluators claiming one alert transition) can both pass, which DynamoDB never allows; tests
# of exactly-once claims then fail now and then. One request at a time makes each write atomic.
# Usage: python moto-serial.py HOST PORT
import os
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
run_simple(host, port, DomainDispatcherApplication(create_backend_app), threaded=False, request_handler=MotoRequestHandler)
