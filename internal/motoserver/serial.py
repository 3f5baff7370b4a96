# Serves moto one request at a time. moto's threaded server is not safe for
# DynamoDB transactions: a cancelled transaction restores a snapshot of the
# whole table taken when it began, undoing writes that other requests made
# in between. DynamoDB itself applies transactions atomically, so carebill's
# tests and local stack run moto serially to match it.
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

host, port = sys.argv[1], int(sys.argv[2])
app = DomainDispatcherApplication(create_backend_app)
run_simple(host, port, app, threaded=False, use_reloader=False)
