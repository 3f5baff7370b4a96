# Serves moto one request at a time. moto's threaded server is not safe for
# DynamoDB transactions: a cancelled transaction restores a snapshot of the
# whole table taken when it began, undoing writes that other requests made
# in between. DynamoDB itself applies transactions atomically, so carebill's
# tests and local stack run moto serially to match it.
#
# moto (5.2) also takes that snapshot with copy.deepcopy of the whole table
# once per item of the transaction, so a TransactWriteItems costs
# O(items in it x items in the table): 7 s for 60 items against a
# 500-item table, 40 s against 2,000 (BENCHMARKS.md, invoice runs). An
# invoice run's numbering transaction writes ~60 items, so runs of a few
# dozen participants stalled. The snapshot below is taken once per table
# per transaction and copies only the table's index of items (references)
# plus a deep copy of the items the transaction names: the same rollback,
# since a transaction changes no other item.
import copy
import sys
from collections import defaultdict

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

_pending = None  # the transaction being applied: its items and snapshots so far


def _touched(table, transact_items):
    keys = []
    for item in transact_items:
        for op_type, op in item.items():
            if op.get("TableName") != table.name:
                continue
            attrs = op.get("Item") if op_type == "Put" else op.get("Key")
            if not attrs or table.hash_key_attr not in attrs:
                continue
            h = DynamoType(attrs[table.hash_key_attr])
            r = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr and table.range_key_attr in attrs else None
            keys.append((h, r))
    return keys


def _snapshot(table, transact_items):
    snap = copy.copy(table)
    items = defaultdict(dict)
    for h, v in table.items.items():
        items[h] = dict(v) if isinstance(v, dict) else v
    for h, r in _touched(table, transact_items):
        if r is None:
            if h in items and not isinstance(items[h], dict):
                items[h] = copy.deepcopy(items[h])
        elif h in items and r in items[h]:
            items[h][r] = copy.deepcopy(items[h][r])
    snap.items = items
    return snap


class _Copy:
    """moto's `copy` module as the dynamodb models see it: deepcopy of a
    table inside a transaction takes the cheap snapshot."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(x, memo=None):
        if _pending is not None and isinstance(x, Table):
            snaps = _pending["snaps"]
            if id(x) not in snaps:
                snaps[id(x)] = _snapshot(x, _pending["items"])
            return snaps[id(x)]
        return copy.deepcopy(x, memo)


_transact = DynamoDBBackend.transact_write_items


def _transact_write_items(self, transact_items):
    global _pending
    _pending = {"items": transact_items, "snaps": {}}
    try:
        return _transact(self, transact_items)
    finally:
        _pending = None


dynamodb_models.copy = _Copy()
DynamoDBBackend.transact_write_items = _transact_write_items

host, port = sys.argv[1], int(sys.argv[2])
app = DomainDispatcherApplication(create_backend_app)
run_simple(host, port, app, threaded=False, use_reloader=False)
