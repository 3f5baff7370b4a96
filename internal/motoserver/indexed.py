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
#  - A base-table Query sorted its whole partition, and an org's items
#    share one partition. Here each partition keeps its range keys in
#    order once a Query has asked (inserting and removing as items are
#    written), and a Query with begins_with, = or BETWEEN on the range key
#    reads only the keys in that span.
#  - Every DynamoDB answer goes through moto's generic response serializer,
#    which walks the operation's output shape member by member (about
#    30 ms for an answer carrying a few items). For the item operations
#    here, whose answers are plain JSON (attribute values as DynamoDB
#    writes them), it is json.dumps of the same dict. With
#    CAREBILL_MOTO_CHECK set, both are computed and any difference is
#    printed to the log (the fast one is still served).
#  - SQS SendMessage and each message ReceiveMessage returns read the
#    queue's attributes, which count its messages three times (each
#    message's visibility re-derived from the clock), so a queue of n
#    messages costs O(n) per message sent or received. Those counts are
#    not part of either answer; inside them the counts are 0. Listing a
#    queue's visible messages reads the clock once, not twice a message.
#
# With these and serial.py's rollback, moto's time per request no longer grows with the table for
# transactions and grows far less for Queries, so a large org's close can
# be measured in the time it takes the close, not moto's copying.
import base64
import json
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
import os
import sys
import threading

import serial  # serial.py beside this file (first on sys.path), not pyserial
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.models.table import Table
from moto.core.responses import ActionResult
from moto.core.utils import unix_time_millis
from moto.sqs.models import Queue, SQSBackend

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
    if isinstance(mode, tuple) and len(mode) == 2:  # (index name, partition key value)
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
    hk, comparison, objs = mode
    part = self.items.get(hk, {})
    keys = part.sorted_keys() if isinstance(part, _Partition) else None
    if keys is None:
        # Presorted natively, so the Query's own sort (DynamoType
        # comparisons in Python) finds it in order.
        return sorted(part.values(), key=_sort_key)
    # The partition's keys in order, narrowed to the range the key
    # condition can match (moto still checks each item against it).
    lo, hi = 0, len(keys)
    first = objs[0].value if objs and objs[0].type == "S" else None
    if comparison == "BEGINS_WITH" and first is not None:
        lo, hi = bisect_left(keys, first, key=_str), bisect_left(keys, first + "\U0010ffff", key=_str)
    elif comparison == "EQ" and first is not None:
        lo, hi = bisect_left(keys, first, key=_str), bisect_right(keys, first, key=_str)
    elif comparison == "BETWEEN" and first is not None and len(objs) > 1 and objs[1].type == "S":
        lo, hi = bisect_left(keys, first, key=_str), bisect_right(keys, objs[1].value, key=_str)
    return [part[k] for _, k in keys[lo:hi]]


def _str(entry):
    return entry[0]


class _Partition(dict):
    """A partition's items by range key, keeping (as soon as a Query asks)
    the list of (range key string, range key) in order, so a base-table
    Query reads only the keys its condition can match instead of sorting
    the whole partition. Any range key that is not a string drops the list
    (the Query then sorts as before)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._keys = None

    def sorted_keys(self):
        if self._keys is None:
            if not all(k.type == "S" for k in self):
                return None
            self._keys = sorted(((k.value, k) for k in self), key=_str)
        return self._keys

    def _drop(self, k):
        keys = self._keys
        if keys is None:
            return
        if k.type != "S":
            self._keys = None
            return
        i = bisect_left(keys, k.value, key=_str)
        if i < len(keys) and keys[i][0] == k.value:
            del keys[i]

    def __setitem__(self, k, v):
        if self._keys is not None and k not in self:
            if k.type == "S":
                insort(self._keys, (k.value, k), key=_str)
            else:
                self._keys = None
        dict.__setitem__(self, k, v)

    def __delitem__(self, k):
        dict.__delitem__(self, k)
        self._drop(k)

    def pop(self, k, *default):
        present = k in self
        v = dict.pop(self, k, *default)
        if present:
            self._drop(k)
        return v

    def _reset(method):
        def wrapper(self, *args, **kwargs):
            self._keys = None
            return method(self, *args, **kwargs)

        return wrapper

    update = _reset(dict.update)
    setdefault = _reset(dict.setdefault)
    clear = _reset(dict.clear)
    popitem = _reset(dict.popitem)
    __ior__ = _reset(dict.__ior__)


_table_init = Table.__init__


def table_init(self, *args, **kwargs):
    _table_init(self, *args, **kwargs)
    if self.range_key_attr:
        self.items = defaultdict(_Partition)


def query(self, hash_key, *args, **kwargs):
    # index_name is Table.query's eighth parameter, passed by position.
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if hash_key is None:
        _query.mode = _INDEX
    elif index_name:
        gsi = {i.name for i in self.global_indexes or []}
        _query.mode = (index_name, hash_key.value) if index_name in gsi and hash_key.type == "S" else _INDEX
    else:
        # range_comparison and range_objs follow hash_key, by position.
        _query.mode = (hash_key, args[0] if args else None, args[1] if len(args) > 1 else None)
    try:
        return _table_query(self, hash_key, *args, **kwargs)
    finally:
        _query.mode = None


_FAST_OPS = {"GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "TransactGetItems", "BatchWriteItem"}
_CHECK = bool(os.environ.get("CAREBILL_MOTO_CHECK"))


def _plain(obj):
    """obj as the serializer writes it: bytes base64, no None members;
    raises TypeError on anything else (a timestamp), which takes the
    serializer's path instead."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, bytes):
        return base64.b64encode(obj).decode()
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    raise TypeError(type(obj).__name__)


_execute = ActionResult.execute_result


def execute_result(self, context):
    if (context.service_model.service_name != "dynamodb" or context.operation_model.name not in _FAST_OPS
            or not isinstance(self.result, dict)):
        return _execute(self, context)
    try:
        body = json.dumps(_plain(self.result))
    except TypeError:
        return _execute(self, context)
    if _CHECK:
        status, headers, slow = _execute(self, context)
        if json.loads(slow) != json.loads(body):
            print("indexed.py: %s answer differs from moto's serializer:\n  %s\n  %s" % (context.operation_model.name, slow[:2000], body[:2000]), file=sys.stderr, flush=True)
    version = context.service_model.metadata.get("jsonVersion", "1.0")
    return 200, {"Content-Type": "application/x-amz-json-" + version}, body


_sqs_counting = threading.local()


def _uncounted(method):
    def wrapper(*args, **kwargs):
        _sqs_counting.off = True
        try:
            return method(*args, **kwargs)
        finally:
            _sqs_counting.off = False

    return wrapper


def _count(prop):
    def get(self):
        if getattr(_sqs_counting, "off", False):
            return 0
        return prop.fget(self)

    return property(get)


def visible_messages(self):
    now = unix_time_millis()
    return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]


ActionResult.execute_result = execute_result
SQSBackend.send_message = _uncounted(SQSBackend.send_message)
SQSBackend.is_message_valid_based_on_retention_period = _uncounted(SQSBackend.is_message_valid_based_on_retention_period)
for _name in ("approximate_number_of_messages", "approximate_number_of_messages_delayed", "approximate_number_of_messages_not_visible"):
    setattr(Queue, _name, _count(getattr(Queue, _name)))
Queue.messages = property(visible_messages)

DynamoType.__eq__ = dynamo_eq
DynamoType.__ne__ = dynamo_ne
DynamoType.__lt__ = dynamo_lt
DynamoType.__hash__ = DynamoType.__hash__  # kept: defining __eq__ on the class does not reset it here
LimitedSizeDict.__setitem__ = limited_setitem
Table.__init__ = table_init
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
