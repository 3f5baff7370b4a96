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
# dozen participants stalled. Here the table copy inside a transaction is
# the table itself, and the items the transaction names are deep-copied
# before it runs and put back if it is cancelled: the same rollback, since
# a transaction changes no other item, at a cost that does not grow with
# the table.
#
# indexed.py (benchmarks of scale) imports this file for the same
# transaction rollback and serves moto through serve() below.
import copy
import sys

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

_in_transaction = False


def _named(backend, transact_items):
    """(table, hash key, range key) of each item the transaction names;
    an operation moto will refuse (no such table, no key) is left out, as
    moto refuses it before writing anything."""
    for ti in transact_items:
        try:
            op_type, op = next(iter(ti.items()))
            table = backend.tables[op["TableName"]]
            key = op["Item"] if op_type == "Put" else op["Key"]
            hk = DynamoType(key[table.hash_key_attr])
            rk = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        except Exception:
            continue
        yield table, hk, rk


def _restore(table, hk, rk, item):
    if rk is None:
        if item is None:
            table.items.pop(hk, None)
        else:
            table.items[hk] = item
    elif item is None:
        table.items.get(hk, {}).pop(rk, None)
    else:
        table.items[hk][rk] = item


class _Copy:
    """moto's `copy` module as the dynamodb models see it: inside a
    transaction, the whole-table deepcopy is the table itself (its
    rollback becomes a no-op; _transact_write_items restores instead)."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(x, memo=None):
        if _in_transaction and isinstance(x, Table):
            return x
        return copy.deepcopy(x, memo)


_transact = DynamoDBBackend.transact_write_items


def _transact_write_items(self, transact_items):
    global _in_transaction
    saved = []
    for table, hk, rk in _named(self, transact_items):
        cur = table.get_item(hk, rk)
        saved.append((table, hk, rk, copy.deepcopy(cur) if cur is not None else None))
    _in_transaction = True
    try:
        return _transact(self, transact_items)
    except Exception:
        for table, hk, rk, item in reversed(saved):
            _restore(table, hk, rk, item)
        raise
    finally:
        _in_transaction = False


dynamodb_models.copy = _Copy()
DynamoDBBackend.transact_write_items = _transact_write_items


def serve(host, port):
    """Serves moto on host:port, one request at a time."""
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, use_reloader=False)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
