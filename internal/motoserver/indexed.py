# Serves moto one request at a time through serial.py (beside this file;
# its TransactWriteItems copies only the items a transaction names, not
# the whole table) with moto 5's other whole-table costs taken out, for
# benchmarks of scale only (bench/cycles, bench/runs); what each request
# does and answers is unchanged:
#
#  - Query builds and sorts a list of every item in the table, then keeps
#    those in the queried partition. Here a base-table Query lists only its
#    partition (presorted), and a global index Query only the items ever
#    written with its partition key value (kept in a map as items are
#    written; moto still checks each and sorts what it keeps, as before).
#
#  - Comparing two string values re-derives each value on every call;
#    here strings compare directly (the same answer).
#  - Setting an item's attribute re-measures every attribute of the item
#    (to refuse items over 400 KB), so building an item costs the square
#    of its attributes; here the item's size is kept as a running total
#    (the same check, as long as values are not grown in place, which no
#    carebill write does to anything near the limit).
#
# With these and serial.py's rollback, moto's time per request no longer grows with the table for
# transactions and grows far less for Queries, so a large org's close can
# be measured in the time it takes the close, not moto's copying.
import os
import sys
import threading

import serial  # serial.py beside this file (first on sys.path), not pyserial
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.models.table import Table

_query = threading.local()
_INDEX = object()  # an index Query (any partition)
_all_items = Table.all_items
_table_query = Table.query
_put = Table.put_item
_update = DynamoDBBackend.update_item


def _gsi_keys(table, item):
    for index in table.global_indexes or []:
        for k in index.schema:
            if k["KeyType"] == "HASH":
                v = item.attrs.get(k["AttributeName"])
                if v is not None and v.type == "S":
                    yield (index.name, v.value)


def _register(table, item):
    """Notes item's primary key under each global index partition it is in.
    Entries are never removed: a Query checks each candidate's current
    value, so an item that moved out of a partition is dropped there."""
    if item is None:
        return
    gsi = table.__dict__.setdefault("_gsi", {})
    for k in _gsi_keys(table, item):
        gsi.setdefault(k, set()).add((item.hash_key, item.range_key))


def put_item(self, *args, **kwargs):
    item = _put(self, *args, **kwargs)
    _register(self, item)
    return item


def update_item(self, table_name, *args, **kwargs):
    item = _update(self, table_name, *args, **kwargs)
    _register(self.get_table(table_name), item)
    return item


def _sort_key(item):
    k = item.range_key
    return k.value if k.type == "S" else k.cast_value


_eq, _ne, _lt = DynamoType.__eq__, DynamoType.__ne__, DynamoType.__lt__


def dynamo_eq(self, other):
    # cast_value, which every comparison calls, re-derives the value on
    # each call; a string's cast value is the string itself.
    if self.type == "S" and getattr(other, "type", None) == "S":
        return self.value == other.value
    return _eq(self, other)


def dynamo_ne(self, other):
    if self.type == "S" and getattr(other, "type", None) == "S":
        return self.value != other.value
    return _ne(self, other)


def dynamo_lt(self, other):
    if self.type == "S" and getattr(other, "type", None) == "S":
        return self.value < other.value
    return _lt(self, other)


def _attr_size(key, value):
    return bytesize(key) + (value.size() if type(value) is DynamoType else bytesize(str(value)))


def limited_setitem(self, key, value):
    size = self.__dict__.get("_size", 0)
    if key in self:
        size -= _attr_size(key, dict.__getitem__(self, key))
    size += _attr_size(key, value)
    if size > 405000:  # moto's limit, as LimitedSizeDict has it
        raise ItemSizeTooLarge
    dict.__setitem__(self, key, value)
    self._size = size


def all_items(self):
    mode = getattr(_query, "mode", None)
    if mode is None:
        return _all_items(self)
    if isinstance(mode, tuple):  # (index name, partition key value)
        out = []
        for hk, rk in getattr(self, "_gsi", {}).get(mode, ()):
            item = self.get_item(hk, rk) if rk is not None else self.items.get(hk)
            if item is not None:
                out.append(item)
        return out
    if mode is _INDEX or not self.range_key_attr:
        if self.range_key_attr:
            return [item for part in self.items.values() for item in part.values()]
        return list(self.items.values())
    # Presorted natively, so the Query's own sort (DynamoType comparisons
    # in Python) finds it in order.
    return sorted(self.items.get(mode, {}).values(), key=_sort_key)


def query(self, hash_key, *args, **kwargs):
    # index_name is Table.query's eighth parameter, passed by position.
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if hash_key is None:
        _query.mode = _INDEX
    elif index_name:
        gsi = {i.name for i in self.global_indexes or []}
        _query.mode = (index_name, hash_key.value) if index_name in gsi and hash_key.type == "S" else _INDEX
    else:
        _query.mode = hash_key
    try:
        return _table_query(self, hash_key, *args, **kwargs)
    finally:
        _query.mode = None


DynamoType.__eq__ = dynamo_eq
DynamoType.__ne__ = dynamo_ne
DynamoType.__lt__ = dynamo_lt
DynamoType.__hash__ = DynamoType.__hash__  # kept: defining __eq__ on the class does not reset it here
LimitedSizeDict.__setitem__ = limited_setitem
Table.all_items = all_items
Table.query = query
Table.put_item = put_item
DynamoDBBackend.update_item = update_item

if __name__ == "__main__":
    profile = os.environ.get("CAREBILL_MOTO_PROFILE")
    if profile:  # where to write moto's profile, every 30 s (pstats format)
        import cProfile
        import time

        prof = cProfile.Profile()

        def dump():
            while True:
                time.sleep(30)
                prof.disable()
                prof.dump_stats(profile)
                prof.enable()

        threading.Thread(target=dump, daemon=True).start()
        prof.enable()
    serial.serve(sys.argv[1], int(sys.argv[2]))
